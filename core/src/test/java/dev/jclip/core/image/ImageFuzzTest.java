package dev.jclip.core.image;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Every image decoder (JPEG, PNG, GIF, BMP, TIFF, WebP, told by content) and the preprocessing
 * behind it, on arbitrary bytes, within limits small enough to keep each run fast: a pixel tensor
 * or an {@link ImageDecodeException} naming the input, nothing else; the pixel and file-size limits
 * hold for every format.
 */
class ImageFuzzTest {
    private static final ImageLimits LIMITS = new ImageLimits(4 << 20, 4_000_000, 100);
    private static final ImagePreprocessor PRE = new ImagePreprocessor(PreprocessConfig.clipDefaults(224));

    @FuzzTest(maxDuration = "30s")
    void decodeAndPreprocess(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            RgbImage image = ImageLoader.decode(bytes, "input", LIMITS);
            if ((long) image.width() * image.height() > LIMITS.maxPixels()) {
                throw new AssertionError(image.width() + "x" + image.height() + " is over the pixel limit");
            }
            if (PRE.pixelValues(image).length != 3 * 224 * 224) {
                throw new AssertionError("wrong pixel tensor size");
            }
        } catch (ImageDecodeException expected) {
            if (!expected.getMessage().startsWith("input: ")) {
                throw new AssertionError("the error does not name the input: " + expected.getMessage());
            }
        }
    }
}
