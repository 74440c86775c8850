package dev.jclip.core.image;

import org.junit.jupiter.api.Test;

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
        RgbImage crop = ImagePreprocessor.centerCrop(row, 1, 2);
        assertEquals(2, crop.get(0, 0, 0), "offset (5-2)//2 = 1");
        RgbImage padded = ImagePreprocessor.centerCrop(row, 3, 5);
        assertEquals(0, padded.get(0, 0, 0), "padding is zero");
        assertEquals(1, padded.get(0, 1, 0), "the row sits in the middle");
    }
}
