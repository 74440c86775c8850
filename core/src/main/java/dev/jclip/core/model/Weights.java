package dev.jclip.core.model;

import dev.jclip.core.weights.Checkpoint;
import dev.jclip.tensor.Matrix;

/** Reads runtime tensors from a checkpoint by name; one place for the model classes to ask. */
record Weights(Checkpoint checkpoint) {
    /** A small tensor (bias, LayerNorm, embedding row table) copied to fp32. */
    float[] get(String runtimeName) {
        return checkpoint.floats(runtimeName);
    }

    /** A weight matrix, left in the checkpoint (memory-mapped where possible). */
    Matrix matrix(String runtimeName) {
        return checkpoint.matrix(runtimeName);
    }
}
