package dev.jclip.core;

import java.util.Arrays;

/**
 * Image–text scores as HF's {@code CLIPModel} returns them: {@code logitsPerImage[i][t] =
 * exp(logit_scale) · cos(image i, text t)}, and {@code probs[i]} their softmax over the texts.
 */
public record Similarity(float[][] logitsPerImage, float[][] probs) {
    /** The numbers, one row per image: what a user printing the result wants to see. */
    @Override
    public String toString() {
        return "Similarity[logitsPerImage=" + Arrays.deepToString(logitsPerImage) + ", probs=" + Arrays.deepToString(probs) + "]";
    }
}
