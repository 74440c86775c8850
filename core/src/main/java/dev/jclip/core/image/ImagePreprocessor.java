package dev.jclip.core.image;

import dev.jclip.core.model.ClipConfig.PreprocessConfig;

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

    /** The 8-bit image after resize and centre crop, before normalisation. */
    public RgbImage resizeAndCrop(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int size = config.shortestEdge();
        int newW, newH;
        // Python's int(size * long / short): true division in double, truncated.
        if (w <= h) {
            newW = size;
            newH = (int) ((double) size * h / w);
        } else {
            newH = size;
            newW = (int) ((double) size * w / h);
        }
        RgbImage resized = PillowBicubic.resize(image, newW, newH);
        return centerCrop(resized, config.cropHeight(), config.cropWidth());
    }

    /**
     * HF's {@code center_crop}: offsets {@code (size − crop) // 2} (floored); where the image is smaller
     * than the crop it is first padded with zeros, centred.
     */
    static RgbImage centerCrop(RgbImage img, int cropH, int cropW) {
        int h = img.height();
        int w = img.width();
        int top = Math.floorDiv(h - cropH, 2);
        int left = Math.floorDiv(w - cropW, 2);
        int padTop = 0, padLeft = 0;
        if (top < 0 || left < 0) {
            int newH = Math.max(cropH, h);
            int newW = Math.max(cropW, w);
            padTop = (newH - h + 1) / 2; // ceil
            padLeft = (newW - w + 1) / 2;
            top += padTop;
            left += padLeft;
        }
        byte[] out = new byte[cropH * cropW * 3];
        for (int y = 0; y < cropH; y++) {
            int sy = y + top - padTop;
            if (sy < 0 || sy >= h) {
                continue;
            }
            for (int x = 0; x < cropW; x++) {
                int sx = x + left - padLeft;
                if (sx < 0 || sx >= w) {
                    continue;
                }
                System.arraycopy(img.rgb(), (sy * w + sx) * 3, out, (y * cropW + x) * 3, 3);
            }
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
