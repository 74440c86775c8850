package dev.jclip.core.model;

import dev.jclip.core.model.ClipConfig.VisionConfig;
import dev.jclip.tensor.Kernels;

/**
 * CLIP's image encoder, as OpenAI's {@code VisionTransformer}. Shapes: C channels, S image size,
 * P patch size, G = S/P patches per side, N = G² + 1 tokens, D width, E embedding width.
 */
public final class VisionTransformer {
    private final VisionConfig cfg;
    private final Linear conv1;                  // [C·P·P, D]: the stride-P convolution as a matrix, no bias
    private final float[] classEmbedding;        // [D]
    private final float[] positionalEmbedding;   // [N, D]
    private final LayerNorm lnPre;
    private final ResidualAttentionBlock[] blocks;
    private final LayerNorm lnPost;
    private final Linear proj;                   // [D, E], no bias; null if the tower has no projection

    VisionTransformer(Weights w, VisionConfig cfg) {
        this.cfg = cfg;
        this.conv1 = Linear.loadNoBias(w, "visual.conv1.weight");
        this.classEmbedding = w.get("visual.classEmbedding");
        this.positionalEmbedding = w.get("visual.positionalEmbedding");
        this.lnPre = LayerNorm.load(w, "visual.lnPre", cfg.layerNormEps());
        this.blocks = new ResidualAttentionBlock[cfg.layers()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new ResidualAttentionBlock(w, "visual.blocks." + i, cfg);
        }
        this.lnPost = LayerNorm.load(w, "visual.lnPost", cfg.layerNormEps());
        this.proj = cfg.projectionDim() > 0 ? Linear.loadNoBias(w, "visual.proj") : null;
    }

    /** The image embedding [E] (projected, not normalised) of {@code pixels} [C, S, S]. */
    public float[] forward(Kernels k, float[] pixels, Trace trace) {
        int d = cfg.width();
        int g = cfg.grid();
        int n = cfg.tokens();
        float[] patches = patchify(pixels);               // [G², C·P·P]
        float[] x = new float[n * d];                     // [N, D]: row 0 the class token, then the patches
        conv1.apply(k, patches, 0, x, d, g * g);
        System.arraycopy(classEmbedding, 0, x, 0, d);
        for (int i = 0; i < n * d; i++) {
            x[i] += positionalEmbedding[i];
        }
        lnPre.apply(k, x, 0, x, 0, n);
        trace.record("vision.ln_pre", x, 0, n * d);

        for (int i = 0; i < blocks.length; i++) {
            blocks[i].forward(k, x, n, false);
            trace.record("vision.block" + i, x, 0, n * d);
        }

        float[] pooled = new float[d];                    // [D]: ln_post of the class token
        lnPost.apply(k, x, 0, pooled, 0, 1);
        trace.record("vision.ln_post", pooled, 0, d);
        if (proj == null) {
            return pooled;
        }
        float[] embedding = new float[proj.out()];        // [E]
        proj.apply(k, pooled, 0, embedding, 0, 1);
        return embedding;
    }

    /**
     * Cuts [C, S, S] into G² patch rows of C·P·P values, ordered (c, ky, kx) like the flattened
     * convolution kernel, patches in row-major grid order: the convolution becomes a matrix product.
     */
    private float[] patchify(float[] pixels) {
        int c = cfg.channels();
        int p = cfg.patchSize();
        int s = cfg.imageSize();
        int g = cfg.grid();
        int cpp = c * p * p;
        float[] out = new float[g * g * cpp];
        for (int gy = 0; gy < g; gy++) {
            for (int gx = 0; gx < g; gx++) {
                int row = (gy * g + gx) * cpp;
                for (int ch = 0; ch < c; ch++) {
                    for (int ky = 0; ky < p; ky++) {
                        int src = ch * s * s + (gy * p + ky) * s + gx * p;
                        System.arraycopy(pixels, src, out, row + (ch * p + ky) * p, p);
                    }
                }
            }
        }
        return out;
    }
}
