package dev.jclip.core;

/**
 * Image–text scores as HF's {@code CLIPModel} returns them: {@code logitsPerImage[i][t] =
 * exp(logit_scale) · cos(image i, text t)}, and {@code probs[i]} their softmax over the texts.
 */
public record Similarity(float[][] logitsPerImage, float[][] probs) {
}
