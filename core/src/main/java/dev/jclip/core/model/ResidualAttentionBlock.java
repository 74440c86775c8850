package dev.jclip.core.model;

import dev.jclip.tensor.Kernels;

/**
 * One pre-LayerNorm transformer block, as OpenAI's {@code ResidualAttentionBlock}:
 * <pre>
 *   x = x + attn(ln_1(x))
 *   x = x + c_proj(act(c_fc(ln_2(x))))
 * </pre>
 * Several sequences may be stacked in x (a batch): every layer but attention treats tokens
 * independently, so they run on all R rows at once; attention runs per sequence.
 * Shapes: R rows, D width, H heads, M MLP width.
 */
final class ResidualAttentionBlock {
    private final LayerNorm ln1;
    private final Linear inProj;   // [D, 3D]: q, k, v side by side
    private final Linear outProj;  // [D, D]
    private final LayerNorm ln2;
    private final Linear cFc;      // [D, M]
    private final Linear cProj;    // [M, D]
    private final int heads;
    private final Activation activation;

    ResidualAttentionBlock(Weights w, String name, ClipConfig.Tower t) {
        this.ln1 = LayerNorm.load(w, name + ".ln1", t.layerNormEps());
        this.inProj = Linear.load(w, name + ".attn.inProj");
        this.outProj = Linear.load(w, name + ".attn.outProj");
        this.ln2 = LayerNorm.load(w, name + ".ln2", t.layerNormEps());
        this.cFc = Linear.load(w, name + ".cFc");
        this.cProj = Linear.load(w, name + ".cProj");
        this.heads = t.heads();
        this.activation = t.activation();
    }

    /** Updates {@code ws.x} [R, D] in place; {@code lengths} are the stacked sequences' token counts. */
    void forward(Kernels k, Workspace ws, int[] lengths, boolean causal) {
        int d = inProj.in();
        int rows = 0;
        for (int n : lengths) {
            rows += n;
        }
        float[] x = ws.x;                                  // [R, D]

        ln1.apply(k, x, 0, ws.h, 0, rows);                 // h = ln_1(x)           [R, D]
        inProj.apply(k, ws.h, 0, ws.qkv, 0, rows);         // qkv = h · W_in + b     [R, 3D]
        for (int s = 0, r = 0; s < lengths.length; r += lengths[s], s++) {
            k.attention(ws.qkv, r * 3 * d, ws.heads, r * d, lengths[s], heads, d / heads, causal);   // [R, D]
        }
        outProj.apply(k, ws.heads, 0, ws.h, 0, rows);      // h = heads · W_out + b  [R, D]
        addInPlace(x, ws.h, rows * d);                     // x = x + attn(ln_1(x))

        ln2.apply(k, x, 0, ws.h, 0, rows);                 // h = ln_2(x)           [R, D]
        cFc.apply(k, ws.h, 0, ws.mlp, 0, rows);            // mlp = h · W_fc + b     [R, M]
        activate(k, ws.mlp, rows * cFc.out());
        cProj.apply(k, ws.mlp, 0, ws.h, 0, rows);          // h = mlp · W_proj + b   [R, D]
        addInPlace(x, ws.h, rows * d);                     // x = x + mlp(ln_2(x))
    }

    private void activate(Kernels k, float[] x, int len) {
        switch (activation) {
            case QUICK_GELU -> k.quickGelu(x, 0, len);
            case GELU -> k.gelu(x, 0, len);
        }
    }

    private static void addInPlace(float[] x, float[] y, int len) {
        for (int i = 0; i < len; i++) {
            x[i] += y[i];
        }
    }
}
