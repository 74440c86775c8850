package dev.jclip.core.model;

/**
 * Receives intermediate activations during a forward pass, named as in the reference fixtures
 * ({@code vision.ln_pre}, {@code vision.block0}, …, {@code text.ln_final}), so a test can say which
 * layer went wrong. The values must be copied if kept.
 */
@FunctionalInterface
public interface Trace {
    Trace NONE = (name, values, offset, length) -> { };

    void record(String name, float[] values, int offset, int length);
}
