package dev.jclip.core.model;

import dev.jclip.core.model.ClipConfig.TextConfig;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;

import java.util.List;

/**
 * CLIP's text encoder, as the text half of OpenAI's {@code CLIP}: token + position embeddings, causal
 * transformer, {@code ln_final}, the row of the first {@code <|endoftext|>}, projection.
 * Shapes: B texts, R rows (their tokens stacked), N tokens of one text (≤ T context), D width,
 * V vocabulary, E embedding width.
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
     * The text embeddings [B, E] (projected, not normalised) of token sequences encoded as one batch,
     * each pooled at {@code pools[i]}. The causal mask means tokens after the pooled one cannot change
     * it, so callers pass each text only up to its first {@code <|endoftext|>}.
     * {@code trace} sees the first text's activations.
     */
    public float[][] forward(Kernels k, List<int[]> ids, int[] pools, Workspace ws, Trace trace) {
        int b = ids.size();
        int d = cfg.width();
        int[] lengths = new int[b];
        int rows = 0;
        for (int i = 0; i < b; i++) {
            lengths[i] = ids.get(i).length;
            rows += lengths[i];
        }
        ws.forTokens(rows, cfg);
        float[] x = ws.x;                                             // [R, D]
        for (int i = 0, r = 0; i < b; r += lengths[i], i++) {
            int[] t = ids.get(i);
            for (int j = 0; j < t.length; j++) {
                k.readRow(tokenEmbedding, t[j], x, (r + j) * d);
                for (int c = 0; c < d; c++) {
                    x[(r + j) * d + c] += positionalEmbedding[j * d + c];
                }
            }
        }
        int n0 = lengths[0];
        trace.record("text.embeddings", x, 0, n0 * d);

        for (int i = 0; i < blocks.length; i++) {
            blocks[i].forward(k, ws, lengths, true);
            trace.record("text.block" + i, x, 0, n0 * d);
        }

        if (trace != Trace.NONE) {
            lnFinal.apply(k, x, 0, ws.h, 0, n0);
            trace.record("text.ln_final", ws.h, 0, n0 * d);
        }
        ws.pooled = Workspace.ensure(ws.pooled, b * d);              // [B, D]: ln_final of each pooled row
        for (int i = 0, r = 0; i < b; r += lengths[i], i++) {
            lnFinal.apply(k, x, (r + pools[i]) * d, ws.pooled, i * d, 1);
        }
        return Linear.project(k, proj, ws, b, d);
    }
}
