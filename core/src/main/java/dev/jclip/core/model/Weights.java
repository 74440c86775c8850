package dev.jclip.core.model;

import dev.jclip.core.weights.Checkpoint;

/** Reads runtime tensors from a checkpoint by name; one place for the model classes to ask. */
record Weights(Checkpoint checkpoint) {
    float[] get(String runtimeName) {
        return checkpoint.floats(runtimeName);
    }
}
