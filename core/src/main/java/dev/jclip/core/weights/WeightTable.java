package dev.jclip.core.weights;

import dev.jclip.core.model.ClipConfig.TextConfig;
import dev.jclip.core.model.ClipConfig.VisionConfig;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.model.StateDictNames.BlockNames;
import dev.jclip.core.model.StateDictNames.LayerNormNames;
import dev.jclip.core.model.StateDictNames.LinearNames;
import dev.jclip.core.model.StateDictNames.TextNames;
import dev.jclip.core.model.StateDictNames.VisionNames;
import dev.jclip.core.model.StateDictNames;
import dev.jclip.tensor.Matrix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one table that maps checkpoint names to runtime names. Runtime names are OpenAI's
 * {@code clip/model.py} state-dict keys ({@link StateDictNames}, which the model classes load by),
 * so an OpenAI checkpoint keeps its names and only Hugging Face's are spelled out here. The converter
 * reads the table to find each runtime tensor in a checkpoint; the loader reads it to know which
 * tensors a runtime file must hold and in which shape.
 *
 * <p>Shape letters: D width of a tower, M its MLP width, E the projection (embedding) width,
 * V vocabulary size, T text context length, G patches per side, C image channels, P patch size.
 * Linear weights are [in, out] at runtime (see {@link Transform}), stored in strips of 32 columns
 * ({@link Matrix.Layout#STRIPS}), the order the matrix kernel reads them in.
 */
public final class WeightTable {

    /** Where a checkpoint layout keeps a runtime tensor: one name, or three for {@link Transform#CONCAT_QKV}. */
    public record Source(Transform transform, List<String> names) {
        static Source of(Transform t, String... names) {
            return new Source(t, List.of(names));
        }
    }

    /**
     * One runtime tensor: its name, its shape, how the runtime file orders its values, and its names
     * in the HF and OpenAI layouts. {@code shape} is the logical shape ([in, out] for a linear
     * weight); {@link #storedShape()} is what the file's header says.
     */
    public record Row(String runtime, long[] shape, Matrix.Layout layout, Source hf, Source openai) {
        Row(String runtime, long[] shape, Source hf, Source openai) {
            this(runtime, shape, Matrix.Layout.ROWS, hf, openai);
        }

        /**
         * The shape in the file: {@code shape}, or for a {@link Matrix.Layout#STRIPS} weight
         * [strips, in, 32], the columns cut into strips of 32 that the matrix kernel reads whole.
         */
        public long[] storedShape() {
            return layout == Matrix.Layout.ROWS ? shape
                    : new long[]{Matrix.strips(Math.toIntExact(shape[1])), shape[0], Matrix.STRIP};
        }
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
            vision(config.vision(), StateDictNames.VISUAL, rows);
        }
        text(config.text(), StateDictNames.TEXT, rows);
        if (config.hasVision()) {
            copied(rows, StateDictNames.LOGIT_SCALE, new long[0], "logit_scale");
        }
        return Collections.unmodifiableList(rows);
    }

    private static void vision(VisionConfig v, VisionNames names, List<Row> rows) {
        long d = v.width();
        long g = v.grid();
        long cpp = (long) v.channels() * v.patchSize() * v.patchSize();
        String hf = "vision_model.";
        rows.add(new Row(names.conv1Weight(), new long[]{cpp, d}, Matrix.Layout.STRIPS,                     // [C·P·P, D]
                Source.of(Transform.FLATTEN_PATCH_KERNEL_TRANSPOSE, hf + "embeddings.patch_embedding.weight"),
                Source.of(Transform.FLATTEN_PATCH_KERNEL_TRANSPOSE, names.conv1Weight())));
        copied(rows, names.classEmbedding(), new long[]{d}, hf + "embeddings.class_embedding");               // [D]
        copied(rows, names.positionalEmbedding(), new long[]{g * g + 1, d}, hf + "embeddings.position_embedding.weight"); // [G²+1, D]
        layerNorm(rows, names.lnPre(), d, hf + "pre_layrnorm");   // sic: HF spells it "layrnorm"
        for (int i = 0; i < v.layers(); i++) {
            block(rows, names.transformer().resblock(i), d, v.mlpWidth(), hf + "encoder.layers." + i);
        }
        layerNorm(rows, names.lnPost(), d, hf + "post_layernorm");
        if (v.projectionDim() > 0) {
            rows.add(new Row(names.proj(), new long[]{d, v.projectionDim()}, Matrix.Layout.STRIPS,           // [D, E]
                    Source.of(Transform.TRANSPOSE, "visual_projection.weight"),
                    Source.of(Transform.COPY, names.proj())));
        }
    }

    private static void text(TextConfig t, TextNames names, List<Row> rows) {
        long d = t.width();
        String hf = "text_model.";
        copied(rows, names.tokenEmbedding(), new long[]{t.vocabSize(), d}, hf + "embeddings.token_embedding.weight");        // [V, D]
        copied(rows, names.positionalEmbedding(), new long[]{t.contextLength(), d}, hf + "embeddings.position_embedding.weight"); // [T, D]
        for (int i = 0; i < t.layers(); i++) {
            block(rows, names.transformer().resblock(i), d, t.mlpWidth(), hf + "encoder.layers." + i);
        }
        layerNorm(rows, names.lnFinal(), d, hf + "final_layer_norm");
        if (t.projectionDim() > 0) {
            rows.add(new Row(names.textProjection(), new long[]{d, t.projectionDim()}, Matrix.Layout.STRIPS, // [D, E]
                    Source.of(Transform.TRANSPOSE, "text_projection.weight"),
                    Source.of(Transform.COPY, names.textProjection())));
        }
    }

    private static void block(List<Row> rows, BlockNames names, long d, long m, String hf) {
        layerNorm(rows, names.ln1(), d, hf + ".layer_norm1");
        String q = hf + ".self_attn.q_proj", k = hf + ".self_attn.k_proj", v = hf + ".self_attn.v_proj";
        rows.add(new Row(names.attnInProjWeight(), new long[]{d, 3 * d}, Matrix.Layout.STRIPS,              // [D, 3D]
                Source.of(Transform.CONCAT_QKV_TRANSPOSE, q + ".weight", k + ".weight", v + ".weight"),
                Source.of(Transform.TRANSPOSE, names.attnInProjWeight())));
        rows.add(new Row(names.attnInProjBias(), new long[]{3 * d},                                         // [3D]
                Source.of(Transform.CONCAT_QKV, q + ".bias", k + ".bias", v + ".bias"),
                Source.of(Transform.COPY, names.attnInProjBias())));
        linear(rows, names.attnOutProj(), d, d, hf + ".self_attn.out_proj");   // [D, D]
        layerNorm(rows, names.ln2(), d, hf + ".layer_norm2");
        linear(rows, names.mlpCFc(), d, m, hf + ".mlp.fc1");                   // [D, M]
        linear(rows, names.mlpCProj(), m, d, hf + ".mlp.fc2");                 // [M, D]
    }

    /** A Linear layer: weight [in, out] at runtime, [out, in] in both checkpoint layouts. */
    private static void linear(List<Row> rows, LinearNames names, long in, long out, String hf) {
        rows.add(new Row(names.weight(), new long[]{in, out}, Matrix.Layout.STRIPS,
                Source.of(Transform.TRANSPOSE, hf + ".weight"), Source.of(Transform.TRANSPOSE, names.weight())));
        copied(rows, names.bias(), new long[]{out}, hf + ".bias");
    }

    private static void layerNorm(List<Row> rows, LayerNormNames names, long d, String hf) {
        copied(rows, names.weight(), new long[]{d}, hf + ".weight");
        copied(rows, names.bias(), new long[]{d}, hf + ".bias");
    }

    /** A tensor both layouts store as the runtime does: under its own name in OpenAI's, under {@code hf} in HF's. */
    private static void copied(List<Row> rows, String name, long[] shape, String hf) {
        rows.add(new Row(name, shape, Source.of(Transform.COPY, hf), Source.of(Transform.COPY, name)));
    }
}
