package dev.jclip.core.image;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PillowBicubicTest {
    @Test
    void sameSizeIsACopy() {
        byte[] px = {1, 2, 3, 4, 5, 6};
        RgbImage img = new RgbImage(2, 1, px);
        assertArrayEquals(px, PillowBicubic.resize(img, 2, 1).rgb());
    }

    @Test
    void constantImagesStayConstantBothWays() {
        byte[] px = new byte[7 * 5 * 3];
        java.util.Arrays.fill(px, (byte) 77);
        RgbImage img = new RgbImage(7, 5, px);
        for (int[] size : new int[][]{{3, 2}, {20, 31}, {7, 9}}) {
            RgbImage out = PillowBicubic.resize(img, size[0], size[1]);
            for (byte b : out.rgb()) {
                assertEquals(77, b & 0xff, "resize to " + size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void kernelIsKeysCubicWithAMinusHalf() {
        assertEquals(1.0, PillowBicubic.bicubic(0), 0);
        assertEquals(0.0, PillowBicubic.bicubic(1), 1e-15);
        assertEquals(0.5625, PillowBicubic.bicubic(0.5), 1e-15);
        assertEquals(-0.0625, PillowBicubic.bicubic(1.5), 1e-15);
        assertEquals(0.0, PillowBicubic.bicubic(2), 0);
    }

    @Test
    void centreCropFloorsOddOffsetsAndPadsSmallImages() {
        byte[] px = new byte[5 * 1 * 3];
        for (int i = 0; i < 5; i++) {
            px[i * 3] = (byte) (i + 1);
        }
        RgbImage row = new RgbImage(5, 1, px);
        RgbImage crop = ImagePreprocessor.resizeAndCrop(row, 5, 1, 1, 2);
        assertEquals(2, crop.get(0, 0, 0), "offset (5-2)//2 = 1");
        RgbImage padded = ImagePreprocessor.resizeAndCrop(row, 5, 1, 3, 5);
        assertEquals(0, padded.get(0, 0, 0), "padding is zero");
        assertEquals(1, padded.get(0, 1, 0), "the row sits in the middle");
    }

    /** A seeded random image. */
    private static RgbImage random(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    /** The crop of the full resize, the way it was computed before windows: resize everything, then cut. */
    private static RgbImage fullResizeThenCrop(RgbImage img, int newW, int newH, int crop) {
        RgbImage full = PillowBicubic.resize(img, newW, newH);
        RgbImage padded = new RgbImage(Math.max(newW, crop), Math.max(newH, crop), new byte[Math.max(newW, crop) * Math.max(newH, crop) * 3]);
        int padTop = (padded.height() - newH + 1) / 2, padLeft = (padded.width() - newW + 1) / 2;
        for (int y = 0; y < newH; y++) {
            System.arraycopy(full.rgb(), y * newW * 3, padded.rgb(), ((y + padTop) * padded.width() + padLeft) * 3, newW * 3);
        }
        int top = (padded.height() - crop) / 2, left = (padded.width() - crop) / 2;
        byte[] out = new byte[crop * crop * 3];
        for (int y = 0; y < crop; y++) {
            System.arraycopy(padded.rgb(), ((y + top) * padded.width() + left) * 3, out, y * crop * 3, crop * 3);
        }
        return new RgbImage(crop, crop, out);
    }

    @Test
    void computingOnlyTheCropGivesTheFullResizesPixels() {
        int[][] cases = {{37, 11, 16, 16 * 37 / 11}, {11, 37, 16 * 37 / 11, 16}, {300, 200, 24, 16}, {13, 13, 16, 16},
                {1, 90, 16, 1440}, {90, 1, 1440, 16}, {7, 5, 7, 20}, {50, 3, 50, 3}};
        long seed = 1;
        for (int[] c : cases) {
            RgbImage img = random(c[0], c[1], seed++);
            for (int crop : new int[] {16, 9}) {
                RgbImage want = fullResizeThenCrop(img, c[2], c[3], crop);
                RgbImage got = ImagePreprocessor.resizeAndCrop(img, c[2], c[3], crop, crop);
                assertArrayEquals(want.rgb(), got.rgb(), c[0] + "x" + c[1] + " -> " + c[2] + "x" + c[3] + ", crop " + crop);
            }
        }
    }

    @Test
    void extremeAspectRatiosCostOnlyTheirCrop() {
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessConfig.clipDefaults(224));
        // 1×10,000,000 would resize to 224 × 2,240,000,000 (over int range); 3×40,000 to 224 × 2,986,666.
        for (RgbImage img : new RgbImage[] {random(1, 10_000_000, 7), random(10_000_000, 1, 8), random(3, 40_000, 9), random(65_535, 1, 10)}) {
            float[] px = pre.pixelValues(img);
            assertEquals(3 * 224 * 224, px.length, img.width() + "x" + img.height());
        }
        // And a case small enough to check against the full resize: 1×900 → 224 × 201,600.
        RgbImage tall = random(1, 900, 11);
        assertArrayEquals(fullResizeThenCrop(tall, 224, 201_600, 224).rgb(), pre.resizeAndCrop(tall).rgb());
    }
}
