package dev.jclip.core.model;

import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;

/** {@code y = x · W + b} with W [in, out] in its stored precision; {@code bias} may be null. */
record Linear(Matrix weight /* [in, out] */, float[] bias /* [out] or null */) {

    static Linear load(Weights w, String name) {
        return new Linear(w.matrix(name + ".weight"), w.get(name + ".bias"));
    }

    static Linear loadNoBias(Weights w, String name) {
        return new Linear(w.matrix(name), null);
    }

    int in() {
        return weight.rows();
    }

    int out() {
        return weight.cols();
    }

    /** {@code y[rows, out] = x[rows, in] · W + b}. */
    void apply(Kernels k, float[] x, int xOff, float[] y, int yOff, int rows) {
        k.linear(x, xOff, weight, bias, y, yOff, rows);
    }
}
