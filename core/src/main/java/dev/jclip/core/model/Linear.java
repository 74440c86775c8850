package dev.jclip.core.model;

import dev.jclip.core.model.StateDictNames.LinearNames;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;

/** {@code y = x · W + b} with W [in, out] in its stored precision; {@code bias} may be null. */
record Linear(Matrix weight /* [in, out] */, float[] bias /* [out] or null */) {

    static Linear load(Weights w, LinearNames names) {
        return new Linear(w.matrix(names.weight()), w.floats(names.bias()));
    }

    /** A bare parameter used as a matrix ({@code conv1.weight}, {@code proj}, {@code text_projection}). */
    static Linear noBias(Weights w, String name) {
        return new Linear(w.matrix(name), null);
    }

    int in() {
        return weight.rows();
    }

    int out() {
        return weight.cols();
    }

    /** {@code y[rows, out] = x[rows, in] · W + b}. */
    void apply(Kernels kernels, float[] x, int xOff, float[] y, int yOff, int rows) {
        kernels.linear(x, xOff, weight, bias, y, yOff, rows);
    }
}
