package dev.jclip.core.model;

import dev.jclip.core.model.ClipConfig.TextConfig;
import dev.jclip.core.model.StateDictNames.TextNames;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;

import java.util.List;

/**
 * CLIP's text encoder, as OpenAI's {@code CLIP.encode_text} (model.py:343): token + position
 * embeddings, causal transformer, {@code ln_final}, the row of the first {@code <|endoftext|>},
 * projection. Shapes: B texts, R rows (their tokens stacked), N tokens of one text (≤ T context),
 * D width, V vocabulary, E embedding width.
 */
public final class TextTransformer {
    private final TextConfig cfg;
    private final TextNames names;
    private final Matrix tokenEmbedding;         // [V, D], left in the file: a lookup reads N rows
    private final float[] positionalEmbedding;   // [T, D]
    private final Transformer transformer;
    private final LayerNorm lnFinal;
    private final Linear textProjection;         // [D, E], no bias; null for a bare CLIPTextModel

    TextTransformer(Weights w, TextNames names, TextConfig cfg) {
        this.cfg = cfg;
        this.names = names;
        this.tokenEmbedding = w.matrix(names.tokenEmbedding());
        this.positionalEmbedding = w.floats(names.positionalEmbedding());
        this.transformer = new Transformer(w, names.transformer(), cfg, true);
        this.lnFinal = LayerNorm.load(w, names.lnFinal(), cfg.layerNormEps());
        this.textProjection = cfg.projectionDim() > 0 ? Linear.noBias(w, names.textProjection()) : null;
    }

    /**
     * The text embeddings [B, E] (projected, not normalised) of token sequences encoded as one batch,
     * each pooled at {@code pools[i]}: model.py:343-356. The causal mask means tokens after the pooled
     * one cannot change it, so callers pass each text only up to its first {@code <|endoftext|>}.
     * {@code trace} sees the first text's activations.
     */
    public float[][] forward(Kernels kernels, List<int[]> ids, int[] pools, Workspace ws, Trace trace) {
        int b = ids.size();
        int d = cfg.width();
        int[] lengths = new int[b];
        int rows = 0;
        for (int i = 0; i < b; i++) {
            lengths[i] = ids.get(i).length;
            rows += lengths[i];
        }
        ws.forTokens(rows, cfg);
        float[] x = ws.x();                                           // [R, D]
        for (int i = 0, r = 0; i < b; r += lengths[i], i++) {
            int[] t = ids.get(i);
            for (int j = 0; j < t.length; j++) {
                kernels.readRow(tokenEmbedding, t[j], x, (r + j) * d);   // model.py:344 token_embedding(text)
                for (int c = 0; c < d; c++) {
                    x[(r + j) * d + c] += positionalEmbedding[j * d + c];  // model.py:346
                }
            }
        }
        int n0 = lengths[0];
        trace.record(names.positionalEmbedding(), x, 0, n0, d);

        transformer.forward(kernels, ws, lengths, trace, n0);      // model.py:348

        if (trace != Trace.NONE) {                                    // model.py:350 on every row, for the trace only
            lnFinal.apply(kernels, x, 0, ws.h(), 0, n0);
            trace.record(names.lnFinal().module(), ws.h(), 0, n0, d);
        }
        float[] pooled = ws.pooled(b * d);                            // [B, D]
        for (int i = 0, r = 0; i < b; r += lengths[i], i++) {
            lnFinal.apply(kernels, x, (r + pools[i]) * d, pooled, i * d, 1);   // model.py:350, 354 ln_final at the eot row
        }
        if (textProjection == null) {
            return Workspace.copyRows(pooled, b, d);
        }
        float[] embeds = ws.embeds(b * textProjection.out());         // [B, E]
        textProjection.apply(kernels, pooled, 0, embeds, 0, b);       // model.py:354 @ self.text_projection
        trace.record(names.textProjection(), embeds, 0, 1, textProjection.out());
        return Workspace.copyRows(embeds, b, textProjection.out());
    }
}
