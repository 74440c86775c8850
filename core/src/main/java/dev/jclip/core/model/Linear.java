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

    /**
     * The final projection of a batch: {@code pooled} [B, in] through this layer, or as is when
     * there is none (a bare text model), one array per row.
     */
    static float[][] project(Kernels k, Linear proj, Workspace ws, int b, int width) {
        int e = proj == null ? width : proj.out();
        float[] out = ws.pooled;
        if (proj != null) {
            ws.embeds = Workspace.ensure(ws.embeds, b * e);          // [B, E]
            proj.apply(k, ws.pooled, 0, ws.embeds, 0, b);
            out = ws.embeds;
        }
        float[][] result = new float[b][];
        for (int i = 0; i < b; i++) {
            result[i] = java.util.Arrays.copyOfRange(out, i * e, (i + 1) * e);
        }
        return result;
    }

    /** {@code y[rows, out] = x[rows, in] · W + b}. */
    void apply(Kernels k, float[] x, int xOff, float[] y, int yOff, int rows) {
        k.linear(x, xOff, weight, bias, y, yOff, rows);
    }
}
