package dev.jclip.core.weights;

import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.model.ClipConfig.TextConfig;
import dev.jclip.core.model.ClipConfig.VisionConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one table that maps checkpoint names to runtime names. The converter reads it to find each
 * runtime tensor in a Hugging Face or OpenAI checkpoint; the loader reads it to know which tensors a
 * runtime file must hold and in which shape.
 *
 * <p>Shape letters: D width of a tower, M its MLP width, E the projection (embedding) width,
 * V vocabulary size, T text context length, G patches per side, C image channels, P patch size.
 * Linear weights are [in, out] at runtime (see {@link Transform}).
 */
public final class WeightTable {

    /** Where a checkpoint layout keeps a runtime tensor: one name, or three for {@link Transform#CONCAT_QKV}. */
    public record Source(Transform transform, List<String> names) {
        static Source of(Transform t, String... names) {
            return new Source(t, List.of(names));
        }
    }

    /** One runtime tensor: its name, its shape, and its names in the HF and OpenAI layouts. */
    public record Row(String runtime, long[] shape, Source hf, Source openai) {
    }

    /** HF buffers that hold no weights (they are {@code arange}s); a converter drops them. */
    public static boolean isHfBuffer(String name) {
        return name.endsWith("embeddings.position_ids");
    }

    /** OpenAI's 0-dim hyper-parameter scalars; a converter cross-checks and drops them. */
    public static final List<String> OPENAI_SCALARS = List.of("input_resolution", "context_length", "vocab_size");

    private WeightTable() {
    }

    /** Every runtime tensor of a model with this config, vision tower first. */
    public static List<Row> rows(ClipConfig config) {
        List<Row> rows = new ArrayList<>();
        if (config.hasVision()) {
            vision(config.vision(), rows);
        }
        text(config.text(), rows);
        if (config.hasVision()) {
            rows.add(new Row("logitScale", new long[0],
                    Source.of(Transform.COPY, "logit_scale"), Source.of(Transform.COPY, "logit_scale")));
        }
        return Collections.unmodifiableList(rows);
    }

    private static void vision(VisionConfig v, List<Row> rows) {
        long d = v.width();
        long g = v.grid();
        long cpp = (long) v.channels() * v.patchSize() * v.patchSize();
        rows.add(new Row("visual.conv1.weight", new long[]{cpp, d},                                         // [C·P·P, D]
                Source.of(Transform.FLATTEN_PATCH_KERNEL_TRANSPOSE, "vision_model.embeddings.patch_embedding.weight"),
                Source.of(Transform.FLATTEN_PATCH_KERNEL_TRANSPOSE, "visual.conv1.weight")));
        rows.add(new Row("visual.classEmbedding", new long[]{d},                                            // [D]
                Source.of(Transform.COPY, "vision_model.embeddings.class_embedding"),
                Source.of(Transform.COPY, "visual.class_embedding")));
        rows.add(new Row("visual.positionalEmbedding", new long[]{g * g + 1, d},                            // [G²+1, D]
                Source.of(Transform.COPY, "vision_model.embeddings.position_embedding.weight"),
                Source.of(Transform.COPY, "visual.positional_embedding")));
        layerNorm(rows, "visual.lnPre", d, "vision_model.pre_layrnorm", "visual.ln_pre"); // sic: HF spells it "layrnorm"
        for (int i = 0; i < v.layers(); i++) {
            block(rows, "visual.blocks." + i, d, v.mlpWidth(),
                    "vision_model.encoder.layers." + i, "visual.transformer.resblocks." + i);
        }
        layerNorm(rows, "visual.lnPost", d, "vision_model.post_layernorm", "visual.ln_post");
        if (v.projectionDim() > 0) {
            rows.add(new Row("visual.proj", new long[]{d, v.projectionDim()},                               // [D, E]
                    Source.of(Transform.TRANSPOSE, "visual_projection.weight"),
                    Source.of(Transform.COPY, "visual.proj")));
        }
    }

    private static void text(TextConfig t, List<Row> rows) {
        long d = t.width();
        rows.add(new Row("text.tokenEmbedding", new long[]{t.vocabSize(), d},                               // [V, D]
                Source.of(Transform.COPY, "text_model.embeddings.token_embedding.weight"),
                Source.of(Transform.COPY, "token_embedding.weight")));
        rows.add(new Row("text.positionalEmbedding", new long[]{t.contextLength(), d},                      // [T, D]
                Source.of(Transform.COPY, "text_model.embeddings.position_embedding.weight"),
                Source.of(Transform.COPY, "positional_embedding")));
        for (int i = 0; i < t.layers(); i++) {
            block(rows, "text.blocks." + i, d, t.mlpWidth(),
                    "text_model.encoder.layers." + i, "transformer.resblocks." + i);
        }
        layerNorm(rows, "text.lnFinal", d, "text_model.final_layer_norm", "ln_final");
        if (t.projectionDim() > 0) {
            rows.add(new Row("text.proj", new long[]{d, t.projectionDim()},                                 // [D, E]
                    Source.of(Transform.TRANSPOSE, "text_projection.weight"),
                    Source.of(Transform.COPY, "text_projection")));
        }
    }

    private static void block(List<Row> rows, String rt, long d, long m, String hf, String oa) {
        layerNorm(rows, rt + ".ln1", d, hf + ".layer_norm1", oa + ".ln_1");
        String q = hf + ".self_attn.q_proj", k = hf + ".self_attn.k_proj", v = hf + ".self_attn.v_proj";
        rows.add(new Row(rt + ".attn.inProj.weight", new long[]{d, 3 * d},                                  // [D, 3D]
                Source.of(Transform.CONCAT_QKV_TRANSPOSE, q + ".weight", k + ".weight", v + ".weight"),
                Source.of(Transform.TRANSPOSE, oa + ".attn.in_proj_weight")));
        rows.add(new Row(rt + ".attn.inProj.bias", new long[]{3 * d},                                       // [3D]
                Source.of(Transform.CONCAT_QKV, q + ".bias", k + ".bias", v + ".bias"),
                Source.of(Transform.COPY, oa + ".attn.in_proj_bias")));
        linear(rows, rt + ".attn.outProj", d, d, hf + ".self_attn.out_proj", oa + ".attn.out_proj");  // [D, D]
        layerNorm(rows, rt + ".ln2", d, hf + ".layer_norm2", oa + ".ln_2");
        linear(rows, rt + ".cFc", d, m, hf + ".mlp.fc1", oa + ".mlp.c_fc");                           // [D, M]
        linear(rows, rt + ".cProj", m, d, hf + ".mlp.fc2", oa + ".mlp.c_proj");                       // [M, D]
    }

    /** A Linear layer: weight [in, out] at runtime, [out, in] in both checkpoint layouts. */
    private static void linear(List<Row> rows, String rt, long in, long out, String hf, String oa) {
        rows.add(new Row(rt + ".weight", new long[]{in, out},
                Source.of(Transform.TRANSPOSE, hf + ".weight"), Source.of(Transform.TRANSPOSE, oa + ".weight")));
        rows.add(new Row(rt + ".bias", new long[]{out},
                Source.of(Transform.COPY, hf + ".bias"), Source.of(Transform.COPY, oa + ".bias")));
    }

    private static void layerNorm(List<Row> rows, String rt, long d, String hf, String oa) {
        rows.add(new Row(rt + ".weight", new long[]{d},
                Source.of(Transform.COPY, hf + ".weight"), Source.of(Transform.COPY, oa + ".weight")));
        rows.add(new Row(rt + ".bias", new long[]{d},
                Source.of(Transform.COPY, hf + ".bias"), Source.of(Transform.COPY, oa + ".bias")));
    }
}
