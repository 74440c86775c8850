package dev.jclip.core.image;

import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Preprocessing against the reference's {@code crop_u8.N} and {@code pixel_values}. The PNGs and the
 * JPEG are all bit-exact: resampling follows Pillow's fixed point, and JPEG colour follows libjpeg
 * (see {@link JpegColor}), so no image gets a looser tolerance.
 */
class PreprocessParityTest {
    private static final ImagePreprocessor PRE = new ImagePreprocessor(PreprocessConfig.clipDefaults(224));
    private static final int PIXELS = 3 * 224 * 224;

    @Test
    void cropsAreBitExact() {
        List<Path> images = Fixtures.images();
        try (SafeTensorsFile expected = Fixtures.expected()) {
            for (int i = 0; i < images.size(); i++) {
                RgbImage crop = PRE.resizeAndCrop(ImageLoader.load(images.get(i)));
                assertEquals(224, crop.width());
                assertEquals(224, crop.height());
                assertArrayEquals(expected.bytes("crop_u8." + i), crop.rgb(), "crop_u8." + i + " (" + images.get(i).getFileName() + ")");
            }
        }
    }

    @Test
    void pixelValuesMatchTheReference() {
        List<Path> images = Fixtures.images();
        try (SafeTensorsFile expected = Fixtures.expected()) {
            float[] all = expected.floats("pixel_values");   // [5, 3, 224, 224]
            assertEquals(images.size() * PIXELS, all.length);
            for (int i = 0; i < images.size(); i++) {
                float[] got = PRE.pixelValues(ImageLoader.load(images.get(i)));
                float[] want = Arrays.copyOfRange(all, i * PIXELS, (i + 1) * PIXELS);
                double maxDiff = 0;
                for (int k = 0; k < PIXELS; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(want[k] - got[k]));
                }
                // Exact crops leave only float rounding of (v/255 - mean)/std; the issue allows 1/255/std.
                assertTrue(maxDiff <= 1e-5, images.get(i).getFileName() + ": pixel_values differ by " + maxDiff);
            }
        }
    }
}
