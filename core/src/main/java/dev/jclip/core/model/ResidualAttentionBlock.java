package dev.jclip.core.model;

import dev.jclip.core.model.StateDictNames.BlockNames;
import dev.jclip.tensor.Kernels;

/**
 * One pre-LayerNorm transformer block, as OpenAI's {@code ResidualAttentionBlock} (model.py:171):
 * <pre>
 *   x = x + attn(ln_1(x))                  model.py:190
 *   x = x + c_proj(act(c_fc(ln_2(x))))     model.py:191
 * </pre>
 * Several sequences may be stacked in x (a batch): every layer but attention treats tokens
 * independently, so they run on all R rows at once; attention runs per sequence.
 * Shapes: R rows, D width, H heads, M MLP width.
 */
final class ResidualAttentionBlock {
    private final LayerNorm ln1;
    private final Linear attnInProj;   // [D, 3D]: q, k, v side by side
    private final Linear attnOutProj;  // [D, D]
    private final LayerNorm ln2;
    private final Linear mlpCFc;       // [D, M]
    private final Linear mlpCProj;     // [M, D]
    private final int heads;
    private final Activation activation;

    ResidualAttentionBlock(Weights w, BlockNames names, ClipConfig.Tower t) {
        this.ln1 = LayerNorm.load(w, names.ln1(), t.layerNormEps());
        this.attnInProj = new Linear(w.matrix(names.attnInProjWeight()), w.floats(names.attnInProjBias()));
        this.attnOutProj = Linear.load(w, names.attnOutProj());
        this.ln2 = LayerNorm.load(w, names.ln2(), t.layerNormEps());
        this.mlpCFc = Linear.load(w, names.mlpCFc());
        this.mlpCProj = Linear.load(w, names.mlpCProj());
        this.heads = t.heads();
        this.activation = t.activation();
    }

    /**
     * Updates the residual stream {@code ws.x()} [R, D] in place; {@code lengths} are the stacked
     * sequences' token counts; {@code causal} applies the text tower's attention mask.
     */
    void forward(Kernels kernels, Workspace ws, int[] lengths, boolean causal) {
        int d = attnInProj.in();
        int rows = 0;
        for (int n : lengths) {
            rows += n;
        }
        float[] x = ws.x();                                          // [R, D]
        float[] h = ws.h();                                          // [R, D]
        float[] qkv = ws.qkv();                                      // [R, 3D]
        float[] attn = ws.heads();                                   // [R, D]
        float[] mlp = ws.mlp();                                      // [R, M]

        // model.py:190  x = x + self.attention(self.ln_1(x))
        ln1.apply(kernels, x, 0, h, 0, rows);                        // h = ln_1(x)
        attnInProj.apply(kernels, h, 0, qkv, 0, rows);               // qkv = h · W_in + b_in
        for (int s = 0, r = 0; s < lengths.length; r += lengths[s], s++) {
            kernels.attention(qkv, r * 3 * d, attn, r * d, lengths[s], heads, d / heads, causal);
        }
        attnOutProj.apply(kernels, attn, 0, h, 0, rows);             // h = attn · W_out + b_out
        addInPlace(x, h, rows * d);

        // model.py:191  x = x + self.mlp(self.ln_2(x))
        ln2.apply(kernels, x, 0, h, 0, rows);                        // h = ln_2(x)
        mlpCFc.apply(kernels, h, 0, mlp, 0, rows);                   // mlp = h · W_fc + b_fc
        activate(kernels, mlp, rows * mlpCFc.out());                 // model.py:179 (QuickGELU, or GELU by config)
        mlpCProj.apply(kernels, mlp, 0, h, 0, rows);                 // h = mlp · W_proj + b_proj
        addInPlace(x, h, rows * d);
    }

    private void activate(Kernels kernels, float[] x, int len) {
        switch (activation) {
            case QUICK_GELU -> kernels.quickGelu(x, 0, len);
            case GELU -> kernels.gelu(x, 0, len);
        }
    }

    private static void addInPlace(float[] x, float[] y, int len) {
        for (int i = 0; i < len; i++) {
            x[i] += y[i];
        }
    }
}
