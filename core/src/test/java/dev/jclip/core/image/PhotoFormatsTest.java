package dev.jclip.core.image;

import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.testing.Fixtures.Photo;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The photo-library fixtures ({@code src/test/fixtures/photos}) against transformers' {@code load_image}
 * + {@code CLIPProcessor}: EXIF orientation, CMYK, 16-bit, TIFF, interlaced and animated files. The
 * fixture's bounds: lossless files within one 8-bit level (1/255/std), lossy ones a mean |difference|
 * ≤ 0.02. Every file here is in fact bit-exact (lossy WebP and JPEG included: both decoders follow the
 * reference's integer arithmetic), so the test holds them to float rounding.
 */
class PhotoFormatsTest {
    private static final ImagePreprocessor PRE = new ImagePreprocessor(PreprocessConfig.clipDefaults(224));
    private static final int PIXELS = 3 * 224 * 224;

    @Test
    void everyDecodablePhotoMatchesTheReferencePixels() {
        int checked = 0;
        try (SafeTensorsFile expected = Fixtures.photosExpected()) {
            float[] all = expected.floats("pixel_values");
            for (Photo photo : Fixtures.photos()) {
                float[] got = PRE.pixelValues(ImageLoader.load(photo.path()));
                float[] want = Arrays.copyOfRange(all, photo.index() * PIXELS, (photo.index() + 1) * PIXELS);
                double max = 0, sum = 0;
                for (int k = 0; k < PIXELS; k++) {
                    double d = Math.abs(want[k] - got[k]);
                    max = Math.max(max, d);
                    sum += d;
                }
                assertTrue(max <= 1e-5, photo.name() + ": pixel_values differ by up to " + max + " (mean " + sum / PIXELS + ")");
                checked++;
            }
        }
        assertEquals(16, checked, "photos checked");
    }
}
