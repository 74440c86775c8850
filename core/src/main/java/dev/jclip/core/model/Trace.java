package dev.jclip.core.model;

/**
 * Receives intermediate activations during a forward pass, each under the {@link StateDictNames}
 * name of the module or parameter that produced it ({@code visual.ln_pre},
 * {@code visual.transformer.resblocks.0}, …, {@code positional_embedding} for the text tower's
 * embeddings, {@code ln_final}), so a test or {@code ./clip trace} can say which layer went wrong.
 * The vision tower reports its first image, the text tower its first text. The values must be
 * copied if kept.
 */
@FunctionalInterface
public interface Trace {
    Trace NONE = (name, values, offset, rows, width) -> { };

    /** {@code values[offset, offset + rows·width)} hold the activation [rows, width], row-major. */
    void record(String name, float[] values, int offset, int rows, int width);
}
