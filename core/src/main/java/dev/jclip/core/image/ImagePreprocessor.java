package dev.jclip.core.image;


/**
 * HF's {@code CLIPImageProcessor}: resize so the shortest edge has the configured size (Pillow
 * bicubic, long edge {@code int(size · long / short)}), centre crop, scale to 0..1, normalise per
 * channel. Output is the model's input, channel-major [3, H, W].
 */
public final class ImagePreprocessor {
    private final PreprocessConfig config;

    public ImagePreprocessor(PreprocessConfig config) {
        this.config = config;
    }

    public PreprocessConfig config() {
        return config;
    }

    /** The pixel tensor [3, cropHeight, cropWidth] for {@code image}. */
    public float[] pixelValues(RgbImage image) {
        return normalize(resizeAndCrop(image));
    }

    /**
     * The 8-bit image after resize and centre crop, before normalisation. Only the pixels the crop
     * keeps are computed ({@link PillowBicubic#resizeWindow}), so a 1×10,000,000 image costs what a
     * 224×224 one does, with the reference's values.
     */
    public RgbImage resizeAndCrop(RgbImage image) {
        long w = image.width();
        long h = image.height();
        int size = config.shortestEdge();
        long newW, newH;
        // Python's int(size * long / short): true division in double, truncated.
        if (w <= h) {
            newW = size;
            newH = (long) ((double) size * h / w);
        } else {
            newH = size;
            newW = (long) ((double) size * w / h);
        }
        return resizeAndCrop(image, Math.max(newW, 1), Math.max(newH, 1), config.cropHeight(), config.cropWidth());
    }

    /**
     * HF's {@code center_crop} of the image resized to {@code newW}×{@code newH}: offsets
     * {@code (size − crop) // 2} (floored); where the image is smaller than the crop it is first padded
     * with zeros, centred ({@code ceil} of half the padding before it).
     */
    static RgbImage resizeAndCrop(RgbImage image, long newW, long newH, int cropH, int cropW) {
        // Padding by ceil(half the shortfall) then cropping at (padded − crop) // 2 = 0 comes to the same
        // offset as cropping unpadded: floor((size − crop) / 2), negative where padded.
        long dy = Math.floorDiv(newH - cropH, 2);
        long dx = Math.floorDiv(newW - cropW, 2);
        // Crop row y shows resized row y + dy; the rows that exist form the window.
        long y0 = Math.max(0, dy), y1 = Math.min(newH, dy + cropH);
        long x0 = Math.max(0, dx), x1 = Math.min(newW, dx + cropW);
        RgbImage window = PillowBicubic.resizeWindow(image, newW, newH, x0, y0, (int) (x1 - x0), (int) (y1 - y0));
        if (window.width() == cropW && window.height() == cropH) {
            return window;
        }
        byte[] out = new byte[cropH * cropW * 3];
        int top = (int) (y0 - dy), left = (int) (x0 - dx);
        for (int y = 0; y < window.height(); y++) {
            System.arraycopy(window.rgb(), y * window.width() * 3, out, ((top + y) * cropW + left) * 3, window.width() * 3);
        }
        return new RgbImage(cropW, cropH, out);
    }

    /** (v / 255 − mean) / std per channel, channel-major [3, H, W]. */
    float[] normalize(RgbImage img) {
        int plane = img.width() * img.height();
        float[] out = new float[3 * plane];
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            double mean = config.mean()[c];
            double std = config.std()[c];
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = (float) (((rgb[i * 3 + c] & 0xff) / 255.0 - mean) / std);
            }
        }
        return out;
    }
}
