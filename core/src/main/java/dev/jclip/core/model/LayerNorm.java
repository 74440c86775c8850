package dev.jclip.core.model;

import dev.jclip.tensor.Kernels;

/** LayerNorm over the last dimension D; eps comes from the model config. */
record LayerNorm(float[] weight /* [D] */, float[] bias /* [D] */, float eps) {

    static LayerNorm load(Weights w, String name, float eps) {
        return new LayerNorm(w.get(name + ".weight"), w.get(name + ".bias"), eps);
    }

    /** Normalises {@code rows} rows of {@code x} starting at {@code xOff} into {@code out} (may be {@code x}). */
    void apply(Kernels k, float[] x, int xOff, float[] out, int outOff, int rows) {
        k.layerNorm(x, xOff, weight, bias, eps, out, outOff, rows, weight.length);
    }
}
