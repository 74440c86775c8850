package dev.jclip.core.weights;

import dev.jclip.core.io.ModelFormatException;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.model.Weights;
import dev.jclip.core.tokenizer.TokenizerFiles;
import dev.jclip.tensor.Matrix;

import java.util.Arrays;
import java.util.Set;

/**
 * A model in the runtime layout: config, tokenizer and tensors under the runtime names of
 * {@link WeightTable}. A converted file is one ({@link RuntimeFile}); the converter offers another
 * view of a source checkpoint, so a model can be loaded without writing a file first.
 */
public interface Checkpoint extends Weights, AutoCloseable {

    ClipConfig config();

    TokenizerFiles tokenizer();

    /** Runtime tensor names this checkpoint holds. */
    Set<String> names();

    /** Stored dtype and shape of a runtime tensor. */
    TensorSpec spec(String runtimeName);

    /** A runtime tensor's values in fp32. */
    @Override
    float[] floats(String runtimeName);

    /**
     * A 2-D runtime tensor as a weight matrix, in its stored precision where the checkpoint can hand
     * it out without a copy (a memory-mapped file), otherwise as fp32.
     */
    @Override
    default Matrix matrix(String runtimeName) {
        long[] shape = spec(runtimeName).shape();
        if (shape.length != 2) {
            throw new ModelFormatException("tensor '" + runtimeName + "' is not a matrix: " + Arrays.toString(shape));
        }
        return Matrix.of(floats(runtimeName), Math.toIntExact(shape[0]), Math.toIntExact(shape[1]));
    }

    /** Free the files behind the checkpoint; arrays already returned stay valid. */
    @Override
    void close();
}
