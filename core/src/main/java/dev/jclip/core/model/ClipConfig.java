package dev.jclip.core.model;

import dev.jclip.core.image.PreprocessConfig;
import dev.jclip.core.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything about a CLIP model that is not a weight: tower sizes, activation, LayerNorm eps,
 * preprocessing. Stored as JSON in the runtime file's {@code __metadata__}; nothing is hard-coded to
 * ViT-L/14. {@code vision} is null for a text-encoder-only model.
 */
public record ClipConfig(VisionConfig vision, TextConfig text, PreprocessConfig preprocess) {

    /**
     * Version of the runtime file layout; a file of another version must be converted again.
     * 2: tensors named as OpenAI's state dict ({@link StateDictNames}), linear weights stored in
     * strips of 32 columns (the matrix kernel's order); 1 had names of its own and row-major weights.
     */
    public static final int FORMAT_VERSION = 2;

    public ClipConfig {
        if (text == null) {
            throw new IllegalArgumentException("a CLIP model needs a text tower");
        }
        if (vision != null && text.projectionDim() != vision.projectionDim()) {
            throw new IllegalArgumentException("text projection dim " + text.projectionDim()
                    + " differs from the vision projection dim " + vision.projectionDim());
        }
        if (vision != null && (preprocess.cropHeight() != vision.imageSize() || preprocess.cropWidth() != vision.imageSize())) {
            throw new IllegalArgumentException("preprocessing crops images to " + preprocess.cropWidth() + "x"
                    + preprocess.cropHeight() + " but the vision tower takes " + vision.imageSize() + "x" + vision.imageSize());
        }
    }

    public boolean hasVision() {
        return vision != null;
    }

    /** Width of the embeddings {@code encodeText} and {@code encodeImage} return. */
    public int embedDim() {
        return text.embedDim();
    }

    /** The shared transformer sizes of one tower. */
    public interface Tower {
        int width();

        int layers();

        int heads();

        int mlpWidth();

        float layerNormEps();

        Activation activation();

        /** Output width of the projection, or 0 when the tower has none (a bare CLIPTextModel). */
        int projectionDim();

        default int headDim() {
            return width() / heads();
        }

        default int embedDim() {
            return projectionDim() > 0 ? projectionDim() : width();
        }
    }

    public record VisionConfig(int width, int layers, int heads, int mlpWidth, int patchSize, int imageSize,
                               int channels, float layerNormEps, Activation activation, int projectionDim)
            implements Tower {
        public VisionConfig {
            checkTower("vision", width, layers, heads, mlpWidth);
            if (patchSize <= 0 || imageSize <= 0 || imageSize % patchSize != 0) {
                throw new IllegalArgumentException("vision image size " + imageSize + " is not a multiple of patch size " + patchSize);
            }
        }

        /** Patches per side. */
        public int grid() {
            return imageSize / patchSize;
        }

        /** Tokens: one per patch plus the class token. */
        public int tokens() {
            return grid() * grid() + 1;
        }

        /**
         * Floating-point operations of one image's forward pass (an FMA counts 2): the patch
         * convolution, per block q/k/v, q·kᵀ, attention·v, out, c_fc and c_proj, and the projection;
         * LayerNorms and activations, a few MFLOP, are left out. 162 GFLOP for ViT-L/14.
         */
        public double forwardFlops() {
            double n = tokens();
            double d = width();
            double perBlock = 2 * n * d * (3 * d + d + 2.0 * mlpWidth()) + 4 * n * n * d;
            double conv = 2.0 * grid() * grid() * channels() * patchSize() * patchSize() * d;
            return conv + layers() * perBlock + 2 * d * Math.max(projectionDim(), 0);
        }
    }

    public record TextConfig(int width, int layers, int heads, int mlpWidth, int contextLength, int vocabSize,
                             float layerNormEps, Activation activation, int projectionDim) implements Tower {
        public TextConfig {
            checkTower("text", width, layers, heads, mlpWidth);
            if (contextLength <= 1 || vocabSize <= 0) {
                throw new IllegalArgumentException("text context length " + contextLength + " / vocab " + vocabSize + " invalid");
            }
        }
    }

    private static void checkTower(String tower, int width, int layers, int heads, int mlpWidth) {
        if (width <= 0 || layers < 0 || heads <= 0 || mlpWidth <= 0 || width % heads != 0) {
            throw new IllegalArgumentException(tower + " tower: width " + width + " is not divisible into "
                    + heads + " heads (layers " + layers + ", mlp " + mlpWidth + ")");
        }
    }

    // ----------------------------------------------------------------------------------------------
    // JSON, as stored in the runtime file

    /** The config as the runtime file stores it, with the file's format version. */
    public String toJson() {
        return json(true);
    }

    /**
     * The config without the file format version: what, with the weights, identifies a model, so a
     * model converted again into a newer file layout keeps its id and the indexes built with it.
     */
    public String hyperParametersJson() {
        return json(false);
    }

    private String json(boolean withFormatVersion) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (withFormatVersion) {
            root.put("format_version", FORMAT_VERSION);
        }
        if (vision != null) {
            Map<String, Object> v = towerJson(vision);
            v.put("patch_size", vision.patchSize());
            v.put("image_size", vision.imageSize());
            v.put("channels", vision.channels());
            root.put("vision", v);
        }
        Map<String, Object> t = towerJson(text);
        t.put("context_length", text.contextLength());
        t.put("vocab_size", text.vocabSize());
        root.put("text", t);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("shortest_edge", preprocess.shortestEdge());
        p.put("crop_height", preprocess.cropHeight());
        p.put("crop_width", preprocess.cropWidth());
        p.put("mean", preprocess.mean());
        p.put("std", preprocess.std());
        root.put("preprocess", p);
        return Json.write(root);
    }

    private static Map<String, Object> towerJson(Tower t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", t.width());
        m.put("layers", t.layers());
        m.put("heads", t.heads());
        m.put("mlp_width", t.mlpWidth());
        m.put("layer_norm_eps", t.layerNormEps()); // a Float: written as the shortest text that reads back the same
        m.put("activation", t.activation().configName);
        m.put("projection_dim", t.projectionDim());
        return m;
    }

    public static ClipConfig fromJson(String json) {
        Map<String, Object> root = Json.parseObject(json);
        VisionConfig vision = null;
        if (root.get("vision") instanceof Map<?, ?> v) {
            vision = new VisionConfig(i(v, "width"), i(v, "layers"), i(v, "heads"), i(v, "mlp_width"),
                    i(v, "patch_size"), i(v, "image_size"), i(v, "channels"), f(v, "layer_norm_eps"),
                    Activation.fromConfig(s(v, "activation")), i(v, "projection_dim"));
        }
        Map<?, ?> t = map(root, "text");
        TextConfig text = new TextConfig(i(t, "width"), i(t, "layers"), i(t, "heads"), i(t, "mlp_width"),
                i(t, "context_length"), i(t, "vocab_size"), f(t, "layer_norm_eps"),
                Activation.fromConfig(s(t, "activation")), i(t, "projection_dim"));
        Map<?, ?> p = map(root, "preprocess");
        PreprocessConfig pre = new PreprocessConfig(i(p, "shortest_edge"), i(p, "crop_height"), i(p, "crop_width"),
                floats(p, "mean"), floats(p, "std"));
        return new ClipConfig(vision, text, pre);
    }

    private static Map<?, ?> map(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Map<?, ?> v)) {
            throw new IllegalArgumentException("config: missing object '" + key + "'");
        }
        return v;
    }

    private static int i(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Long v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("config: '" + key + "' is missing or not an integer of a sensible size");
        }
        return (int) (long) v;
    }

    private static float f(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number v)) {
            throw new IllegalArgumentException("config: missing number '" + key + "'");
        }
        return v.floatValue();
    }

    private static String s(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof String v)) {
            throw new IllegalArgumentException("config: missing string '" + key + "'");
        }
        return v;
    }

    private static float[] floats(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof List<?> list)) {
            throw new IllegalArgumentException("config: missing array '" + key + "'");
        }
        float[] out = new float[list.size()];
        for (int k = 0; k < out.length; k++) {
            if (!(list.get(k) instanceof Number n)) {
                throw new IllegalArgumentException("config: '" + key + "' value " + (k + 1) + " is not a number");
            }
            out[k] = n.floatValue();
        }
        return out;
    }
}
