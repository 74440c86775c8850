package dev.jclip.core.zeroshot;

/** One label of a zero-shot classification: its probability among the labels, and its logit. */
public record Label(String label, float probability, float logit) {
}
