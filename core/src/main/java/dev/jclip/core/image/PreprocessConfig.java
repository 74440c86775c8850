package dev.jclip.core.image;

import java.util.Arrays;

/** CLIPImageProcessor's settings: resize the shortest edge, centre crop, normalise. */
public record PreprocessConfig(int shortestEdge, int cropHeight, int cropWidth, float[] mean, float[] std) {
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** The largest resize and crop accepted: far above any CLIP's input, far below what would exhaust memory. */
    public static final int MAX_SIZE = 8192;

    public PreprocessConfig {
        if (shortestEdge <= 0 || shortestEdge > MAX_SIZE) {
            throw new IllegalArgumentException("preprocessing: resize to a shortest edge of " + shortestEdge
                    + " pixels; it must be 1.." + MAX_SIZE);
        }
        if (cropHeight <= 0 || cropWidth <= 0 || cropHeight > MAX_SIZE || cropWidth > MAX_SIZE) {
            throw new IllegalArgumentException("preprocessing: crop of " + cropWidth + "x" + cropHeight
                    + " pixels; each side must be 1.." + MAX_SIZE);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("preprocessing: image_mean and image_std need 3 values (R, G, B), not "
                    + mean.length + " and " + std.length);
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0) {
                throw new IllegalArgumentException("preprocessing: channel " + c + " has mean " + mean[c] + " and std "
                        + std[c] + "; both must be finite and the std positive (pixels are divided by it)");
            }
        }
    }

    @Override
    public String toString() {
        return "PreprocessConfig[shortestEdge=" + shortestEdge + ", crop=" + cropWidth + "x" + cropHeight
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }

    public static PreprocessConfig clipDefaults(int imageSize) {
        return new PreprocessConfig(imageSize, imageSize, imageSize, CLIP_MEAN.clone(), CLIP_STD.clone());
    }
}
