package dev.jclip.core.model;

import dev.jclip.tensor.Kernels;

/**
 * One pre-LayerNorm transformer block, as OpenAI's {@code ResidualAttentionBlock}:
 * <pre>
 *   x = x + attn(ln_1(x))
 *   x = x + c_proj(act(c_fc(ln_2(x))))
 * </pre>
 * Shapes: N tokens, D width, H heads, M MLP width.
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

    /** Updates {@code x} [N, D] in place. */
    void forward(Kernels k, float[] x, int n, boolean causal) {
        int d = inProj.in();
        float[] h = new float[n * d];                     // [N, D]
        float[] qkv = new float[n * 3 * d];               // [N, 3D]
        float[] heads = new float[n * d];                 // [N, D] (H heads of D/H, concatenated)
        float[] mlp = new float[n * cFc.out()];           // [N, M]

        ln1.apply(k, x, 0, h, 0, n);
        inProj.apply(k, h, 0, qkv, 0, n);
        k.attention(qkv, 0, heads, 0, n, this.heads, d / this.heads, causal);
        outProj.apply(k, heads, 0, h, 0, n);
        addInPlace(x, h, n * d);

        ln2.apply(k, x, 0, h, 0, n);
        cFc.apply(k, h, 0, mlp, 0, n);
        activate(k, mlp, n * cFc.out());
        cProj.apply(k, mlp, 0, h, 0, n);
        addInPlace(x, h, n * d);
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
