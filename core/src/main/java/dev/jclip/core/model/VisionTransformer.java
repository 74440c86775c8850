package dev.jclip.core.model;

import dev.jclip.core.model.ClipConfig.VisionConfig;
import dev.jclip.core.model.StateDictNames.VisionNames;
import dev.jclip.tensor.Kernels;

import java.util.Arrays;
import java.util.List;

/**
 * CLIP's image encoder, as OpenAI's {@code VisionTransformer} (model.py:206). Shapes: B images,
 * C channels, S image size, P patch size, G = S/P patches per side, N = G² + 1 tokens, D width,
 * E embedding width.
 */
public final class VisionTransformer {
    private final VisionConfig cfg;
    private final VisionNames names;
    private final Linear conv1;                  // [C·P·P, D]: the stride-P convolution as a matrix, no bias
    private final float[] classEmbedding;        // [D]
    private final float[] positionalEmbedding;   // [N, D]
    private final LayerNorm lnPre;
    private final Transformer transformer;
    private final LayerNorm lnPost;
    private final Linear proj;                   // [D, E], no bias; null if the tower has no projection

    VisionTransformer(Weights w, VisionNames names, VisionConfig cfg) {
        this.cfg = cfg;
        this.names = names;
        this.conv1 = Linear.noBias(w, names.conv1Weight());
        this.classEmbedding = w.floats(names.classEmbedding());
        this.positionalEmbedding = w.floats(names.positionalEmbedding());
        this.lnPre = LayerNorm.load(w, names.lnPre(), cfg.layerNormEps());
        this.transformer = new Transformer(w, names.transformer(), cfg, false);
        this.lnPost = LayerNorm.load(w, names.lnPost(), cfg.layerNormEps());
        this.proj = cfg.projectionDim() > 0 ? Linear.noBias(w, names.proj()) : null;
    }

    /**
     * The image embeddings [B, E] (projected, not normalised) of {@code pixels}, each [C, S, S],
     * encoded as one batch: model.py:223-240. {@code trace} sees the first image's activations.
     */
    public float[][] forward(Kernels kernels, List<float[]> pixels, Workspace ws, Trace trace) {
        int b = pixels.size();
        int d = cfg.width();
        int g2 = cfg.grid() * cfg.grid();
        int n = cfg.tokens();
        int cpp = conv1.in();
        ws.forTokens(b * n, cfg);
        float[] patches = ws.patches(b * g2 * cpp);                  // [B·G², C·P·P]
        float[] x = ws.x();                                           // [B·N, D]: per image, the class token then the patches
        for (int i = 0; i < b; i++) {
            int image = i * n * d;
            patchify(pixels.get(i), patches, i * g2 * cpp);
            conv1.apply(kernels, patches, i * g2 * cpp, x, image + d, g2);   // model.py:224-226 conv1, flattened to [G², D]
            System.arraycopy(classEmbedding, 0, x, image, d);                 // model.py:227 the class token in front
            for (int t = 0; t < n * d; t++) {
                x[image + t] += positionalEmbedding[t];                       // model.py:228
            }
        }
        lnPre.apply(kernels, x, 0, x, 0, b * n);                       // model.py:229
        trace.record(names.lnPre().module(), x, 0, n, d);

        int[] lengths = new int[b];
        Arrays.fill(lengths, n);
        transformer.forward(kernels, ws, lengths, trace, n);        // model.py:232

        float[] pooled = ws.pooled(b * d);                            // [B, D]
        for (int i = 0; i < b; i++) {
            lnPost.apply(kernels, x, i * n * d, pooled, i * d, 1);     // model.py:235 ln_post of the class token
        }
        trace.record(names.lnPost().module(), pooled, 0, 1, d);
        if (proj == null) {
            return Workspace.copyRows(pooled, b, d);
        }
        float[] embeds = ws.embeds(b * proj.out());                   // [B, E]
        proj.apply(kernels, pooled, 0, embeds, 0, b);                 // model.py:238 x @ self.proj
        trace.record(names.proj(), embeds, 0, 1, proj.out());
        return Workspace.copyRows(embeds, b, proj.out());
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
