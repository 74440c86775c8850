package dev.jclip.core.model;

import dev.jclip.core.model.StateDictNames.LayerNormNames;
import dev.jclip.tensor.Kernels;

/** LayerNorm over the last dimension D (model.py:157; computed in fp32 as there); eps comes from the config. */
record LayerNorm(float[] weight /* [D] */, float[] bias /* [D] */, float eps) {

    static LayerNorm load(Weights w, LayerNormNames names, float eps) {
        return new LayerNorm(w.floats(names.weight()), w.floats(names.bias()), eps);
    }

    /** Normalises {@code rows} rows of {@code x} starting at {@code xOff} into {@code out} (may be {@code x}). */
    void apply(Kernels kernels, float[] x, int xOff, float[] out, int outOff, int rows) {
        kernels.layerNorm(x, xOff, weight, bias, eps, out, outOff, rows, weight.length);
    }
}
