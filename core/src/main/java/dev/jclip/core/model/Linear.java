package dev.jclip.core.model;

import dev.jclip.tensor.Kernels;

/** {@code y = x · Wᵀ + b} with PyTorch's weight layout W [out, in]; {@code bias} may be null. */
record Linear(float[] weight /* [out, in] */, float[] bias /* [out] or null */, int in, int out) {

    static Linear load(Weights w, String name, int in, int out) {
        return new Linear(w.get(name + ".weight"), w.get(name + ".bias"), in, out);
    }

    static Linear loadNoBias(Weights w, String name, int in, int out) {
        return new Linear(w.get(name), null, in, out);
    }

    /** {@code y[rows, out] = x[rows, in] · Wᵀ + b}. */
    void apply(Kernels k, float[] x, int xOff, float[] y, int yOff, int rows) {
        k.linear(x, xOff, weight, bias, y, yOff, rows, in, out);
    }
}
