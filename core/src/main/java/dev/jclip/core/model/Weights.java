package dev.jclip.core.model;

import dev.jclip.tensor.Matrix;

/**
 * Where the model classes get their tensors, by the names of {@link StateDictNames}. A checkpoint
 * (a converted file, or a source checkpoint seen through the converter) is one; the model knows
 * nothing about files.
 */
public interface Weights {
    /** A small tensor (bias, LayerNorm, embedding table) copied to fp32. */
    float[] floats(String name);

    /** A weight matrix [in, out], left in its stored precision where that needs no copy. */
    Matrix matrix(String name);
}
