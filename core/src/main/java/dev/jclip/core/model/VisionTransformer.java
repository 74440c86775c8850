package dev.jclip.core.model;

import dev.jclip.core.model.ClipConfig.VisionConfig;
import dev.jclip.tensor.Kernels;

import java.util.Arrays;
import java.util.List;

/**
 * CLIP's image encoder, as OpenAI's {@code VisionTransformer}. Shapes: B images, C channels, S image
 * size, P patch size, G = S/P patches per side, N = G² + 1 tokens, D width, E embedding width.
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

    /**
     * The image embeddings [B, E] (projected, not normalised) of {@code pixels}, each [C, S, S],
     * encoded as one batch. {@code trace} sees the first image's activations.
     */
    public float[][] forward(Kernels k, List<float[]> pixels, Workspace ws, Trace trace) {
        int b = pixels.size();
        int d = cfg.width();
        int g2 = cfg.grid() * cfg.grid();
        int n = cfg.tokens();
        int cpp = conv1.in();
        ws.forTokens(b * n, cfg);
        ws.patches = Workspace.ensure(ws.patches, b * g2 * cpp);
        for (int i = 0; i < b; i++) {
            patchify(pixels.get(i), ws.patches, i * g2 * cpp);          // [G², C·P·P] per image
        }
        float[] x = ws.x;                                             // [B·N, D]: per image, the class token then the patches
        for (int i = 0; i < b; i++) {
            conv1.apply(k, ws.patches, i * g2 * cpp, x, (i * n + 1) * d, g2);
            System.arraycopy(classEmbedding, 0, x, i * n * d, d);
            for (int t = 0; t < n * d; t++) {
                x[i * n * d + t] += positionalEmbedding[t];
            }
        }
        lnPre.apply(k, x, 0, x, 0, b * n);
        trace.record("vision.ln_pre", x, 0, n * d);

        int[] lengths = new int[b];
        Arrays.fill(lengths, n);
        for (int i = 0; i < blocks.length; i++) {
            blocks[i].forward(k, ws, lengths, false);
            trace.record("vision.block" + i, x, 0, n * d);
        }

        ws.pooled = Workspace.ensure(ws.pooled, b * d);              // [B, D]: ln_post of each class token
        for (int i = 0; i < b; i++) {
            lnPost.apply(k, x, i * n * d, ws.pooled, i * d, 1);
        }
        trace.record("vision.ln_post", ws.pooled, 0, d);
        return Linear.project(k, proj, ws, b, d);
    }

    /**
     * Cuts [C, S, S] into G² patch rows of C·P·P values, ordered (c, ky, kx) like the flattened
     * convolution kernel, patches in row-major grid order: the convolution becomes a matrix product.
     */
    private void patchify(float[] pixels, float[] out, int outOff) {
        int c = cfg.channels();
        int p = cfg.patchSize();
        int s = cfg.imageSize();
        int g = cfg.grid();
        int cpp = c * p * p;
        for (int gy = 0; gy < g; gy++) {
            for (int gx = 0; gx < g; gx++) {
                int row = outOff + (gy * g + gx) * cpp;
                for (int ch = 0; ch < c; ch++) {
                    for (int ky = 0; ky < p; ky++) {
                        int src = ch * s * s + (gy * p + ky) * s + gx * p;
                        System.arraycopy(pixels, src, out, row + (ch * p + ky) * p, p);
                    }
                }
            }
        }
    }
}
