package dev.jclip.core.model;

import dev.jclip.core.model.ClipConfig.TextConfig;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;

/**
 * CLIP's text encoder, as the text half of OpenAI's {@code CLIP}: token + position embeddings, causal
 * transformer, {@code ln_final}, the row of the first {@code <|endoftext|>}, projection.
 * Shapes: N tokens (≤ T context), D width, V vocabulary, E embedding width.
 */
public final class TextTransformer {
    private final TextConfig cfg;
    private final Matrix tokenEmbedding;         // [V, D], left in the file: a lookup reads N rows
    private final float[] positionalEmbedding;   // [T, D]
    private final ResidualAttentionBlock[] blocks;
    private final LayerNorm lnFinal;
    private final Linear proj;                   // [D, E], no bias; null for a bare CLIPTextModel

    TextTransformer(Weights w, TextConfig cfg) {
        this.cfg = cfg;
        this.tokenEmbedding = w.matrix("text.tokenEmbedding");
        this.positionalEmbedding = w.get("text.positionalEmbedding");
        this.blocks = new ResidualAttentionBlock[cfg.layers()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new ResidualAttentionBlock(w, "text.blocks." + i, cfg);
        }
        this.lnFinal = LayerNorm.load(w, "text.lnFinal", cfg.layerNormEps());
        this.proj = cfg.projectionDim() > 0 ? Linear.loadNoBias(w, "text.proj") : null;
    }

    /**
     * The text embedding [E] (projected, not normalised) of {@code ids} [N]. The causal mask means
     * tokens after {@code pool} cannot change row {@code pool}, so callers pass ids up to the first
     * {@code <|endoftext|>} and pool at its index; padding changes nothing.
     */
    public float[] forward(Kernels k, int[] ids, int pool, Trace trace) {
        int d = cfg.width();
        int n = ids.length;
        float[] x = new float[n * d];                     // [N, D]
        for (int i = 0; i < n; i++) {
            k.readRow(tokenEmbedding, ids[i], x, i * d);
            for (int c = 0; c < d; c++) {
                x[i * d + c] += positionalEmbedding[i * d + c];
            }
        }
        trace.record("text.embeddings", x, 0, n * d);

        for (int i = 0; i < blocks.length; i++) {
            blocks[i].forward(k, x, n, true);
            trace.record("text.block" + i, x, 0, n * d);
        }

        lnFinal.apply(k, x, 0, x, 0, n);
        trace.record("text.ln_final", x, 0, n * d);
        float[] pooled = new float[d];                    // [D]: the row of the first <|endoftext|>
        System.arraycopy(x, pool * d, pooled, 0, d);
        if (proj == null) {
            return pooled;
        }
        float[] embedding = new float[proj.out()];        // [E]
        proj.apply(k, pooled, 0, embedding, 0, 1);
        return embedding;
    }
}
