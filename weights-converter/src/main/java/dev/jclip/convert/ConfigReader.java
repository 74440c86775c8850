package dev.jclip.convert;

import dev.jclip.core.image.PreprocessConfig;
import dev.jclip.core.io.Utf8Files;
import dev.jclip.core.json.Json;
import dev.jclip.core.json.JsonException;
import dev.jclip.core.model.Activation;
import dev.jclip.core.model.ClipConfig.TextConfig;
import dev.jclip.core.model.ClipConfig.VisionConfig;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.model.StateDictNames.TextNames;
import dev.jclip.core.model.StateDictNames.TransformerNames;
import dev.jclip.core.model.StateDictNames.VisionNames;
import dev.jclip.core.model.StateDictNames;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a model's hyper-parameters: from HF's {@code config.json} (with HF's defaults for absent
 * fields), or, for OpenAI-layout state dicts that carry none, from the tensor shapes the way
 * OpenAI's {@code build_model} does (heads = width / 64). Shapes are cross-checked later against
 * the weight table, so a config that disagrees with its tensors is an error naming the tensor.
 */
final class ConfigReader {
    private static final int OPENAI_HEAD_DIM = 64;
    private static final float DEFAULT_EPS = 1e-5f;

    private ConfigReader() {
    }

    // ----------------------------------------------------------------------------------------------
    // Hugging Face

    static Map<String, Object> readJson(Path file) {
        try {
            return Json.parseObject(Utf8Files.read(file));
        } catch (IOException e) {
            throw new ConversionException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (JsonException e) {
            throw new ConversionException(file + ": not valid JSON: " + e.getMessage());
        }
    }

    /** An HF config ({@code CLIPConfig} or {@code CLIPTextConfig}); {@code projectionDim} found from the tensors. */
    static ClipConfig fromHf(Map<String, Object> json, Map<String, Object> preprocessor, RawTensors t, String where) {
        try {
            boolean textOnly = "clip_text_model".equals(json.get("model_type")) || !json.containsKey("text_config")
                    && !json.containsKey("text_config_dict");
            if (textOnly) {
                int proj = t.names().contains("text_projection.weight")
                        ? (int) t.spec("text_projection.weight").shape()[0] : 0;
                TextConfig text = hfText(json, proj);
                return new ClipConfig(null, text, PreprocessConfig.clipDefaults(224));
            }
            int proj = integer(json, "projection_dim", 512);
            TextConfig text = hfText(section(json, "text_config"), proj);
            Map<?, ?> v = section(json, "vision_config");
            int channels = integer(v, "num_channels", 3);
            VisionConfig vision = new VisionConfig(integer(v, "hidden_size", 768), integer(v, "num_hidden_layers", 12),
                    integer(v, "num_attention_heads", 12), integer(v, "intermediate_size", 3072),
                    integer(v, "patch_size", 32), integer(v, "image_size", 224), channels,
                    number(v, "layer_norm_eps", DEFAULT_EPS), activation(v), proj);
            PreprocessConfig pre = preprocessor == null ? PreprocessConfig.clipDefaults(vision.imageSize())
                    : preprocessing(preprocessor, where);
            return new ClipConfig(vision, text, pre);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ConversionException(where + ": config.json: " + e.getMessage(), e);
        }
    }

    private static TextConfig hfText(Map<?, ?> t, int proj) {
        return new TextConfig(integer(t, "hidden_size", 512), integer(t, "num_hidden_layers", 12),
                integer(t, "num_attention_heads", 8), integer(t, "intermediate_size", 2048),
                integer(t, "max_position_embeddings", 77), integer(t, "vocab_size", 49408),
                number(t, "layer_norm_eps", DEFAULT_EPS), activation(t), proj);
    }

    /** Older configs nest the towers under {@code *_config_dict}. */
    private static Map<?, ?> section(Map<String, Object> json, String key) {
        Object v = json.get(key);
        if (v == null) {
            v = json.get(key + "_dict");
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return m;
    }

    private static Activation activation(Map<?, ?> m) {
        return Activation.fromConfig(m.get("hidden_act") instanceof String s ? s : "quick_gelu");
    }

    private static int integer(Map<?, ?> m, String key, int dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + key + "' is not an integer of a sensible size: " + v);
        }
        return (int) (long) l;
    }

    private static float number(Map<?, ?> m, String key, float dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("'" + key + "' is not a number: " + v);
        }
        return n.floatValue();
    }

    /** HF's {@code preprocessor_config.json} for {@code CLIPImageProcessor}. */
    static PreprocessConfig preprocessing(Map<String, Object> p, String where) {
        if (Boolean.FALSE.equals(p.get("do_resize")) || Boolean.FALSE.equals(p.get("do_center_crop"))
                || Boolean.FALSE.equals(p.get("do_normalize"))) {
            throw new ConversionException(where + ": preprocessor_config.json turns off resize, crop or normalise;"
                    + " only CLIP's full preprocessing is supported");
        }
        Object resample = p.get("resample");
        if (resample != null && !Long.valueOf(3).equals(resample)) {
            throw new ConversionException(where + ": preprocessor_config.json asks for resample " + resample
                    + "; only bicubic (3) is supported");
        }
        int shortest = switch (p.get("size")) {
            case Long l -> size(l, "size", where);
            case Map<?, ?> m when m.get("shortest_edge") instanceof Long l -> size(l, "size.shortest_edge", where);
            case null -> 224;
            default -> throw new ConversionException(where + ": preprocessor_config.json 'size' " + p.get("size")
                    + " is not a shortest-edge size");
        };
        int cropH, cropW;
        switch (p.get("crop_size")) {
            case Long l -> cropH = cropW = size(l, "crop_size", where);
            case Map<?, ?> m when m.get("height") instanceof Long h && m.get("width") instanceof Long w -> {
                cropH = size(h, "crop_size.height", where);
                cropW = size(w, "crop_size.width", where);
            }
            case null -> cropH = cropW = shortest;
            default -> throw new ConversionException(where + ": preprocessor_config.json 'crop_size' " + p.get("crop_size") + " not understood");
        }
        try {
            return new PreprocessConfig(shortest, cropH, cropW,
                    triple(p, "image_mean", PreprocessConfig.CLIP_MEAN), triple(p, "image_std", PreprocessConfig.CLIP_STD));
        } catch (IllegalArgumentException e) {
            throw new ConversionException(where + ": preprocessor_config.json: " + e.getMessage());
        }
    }

    /** A size in pixels from the JSON, refused in words when it does not fit the limits. */
    private static int size(long value, String field, String where) {
        if (value <= 0 || value > PreprocessConfig.MAX_SIZE) {
            throw new ConversionException(where + ": preprocessor_config.json '" + field + "' is " + value
                    + " pixels; it must be 1.." + PreprocessConfig.MAX_SIZE);
        }
        return (int) value;
    }

    private static float[] triple(Map<String, Object> p, String key, float[] dflt) {
        if (!(p.get(key) instanceof List<?> l)) {
            return dflt.clone();
        }
        if (l.size() != 3) {
            throw new IllegalArgumentException("'" + key + "' needs 3 values, has " + l.size());
        }
        float[] out = new float[3];
        for (int c = 0; c < 3; c++) {
            if (!(l.get(c) instanceof Number n)) {
                throw new IllegalArgumentException("'" + key + "' value " + (c + 1) + " is not a number: " + l.get(c));
            }
            out[c] = n.floatValue();
        }
        return out;
    }

    // ----------------------------------------------------------------------------------------------
    // Inferred from shapes

    /** OpenAI's {@code build_model}: everything from shapes, heads = width / 64. */
    static ClipConfig fromOpenAiShapes(RawTensors t, String where) {
        VisionNames v = StateDictNames.VISUAL;
        TextNames tx = StateDictNames.TEXT;
        long[] conv = shape(t, v.conv1Weight(), where);                       // [D, C, P, P]
        long[] pos = shape(t, v.positionalEmbedding(), where);                // [G²+1, D]
        long[] textProj = shape(t, tx.textProjection(), where);               // [Dt, E]
        long[] vProj = shape(t, v.proj(), where);                             // [D, E]
        int vWidth = (int) conv[0];
        int patch = (int) conv[conv.length - 1];
        int grid = (int) Math.round(Math.sqrt(pos[0] - 1));
        int vLayers = countLayers(t, v.transformer());
        int vMlp = (int) shape(t, v.transformer().resblock(0).mlpCFc().weight(), where)[0];
        if (vProj[1] != textProj[1]) {
            throw new ConversionException(where + ": " + v.proj() + " " + Arrays.toString(vProj) + " and "
                    + tx.textProjection() + " " + Arrays.toString(textProj) + " disagree on the embedding width");
        }
        VisionConfig vision = new VisionConfig(vWidth, vLayers, heads(vWidth, where), vMlp, patch, patch * grid,
                (int) conv[1], DEFAULT_EPS, Activation.QUICK_GELU, (int) vProj[1]);
        TextConfig text = openAiText(t, (int) textProj[1], where);
        ClipConfig cfg = new ClipConfig(vision, text, PreprocessConfig.clipDefaults(vision.imageSize()));
        checkScalar(t, "input_resolution", vision.imageSize(), where);
        checkScalar(t, "context_length", text.contextLength(), where);
        checkScalar(t, "vocab_size", text.vocabSize(), where);
        return cfg;
    }

    private static TextConfig openAiText(RawTensors t, int proj, String where) {
        TextNames tx = StateDictNames.TEXT;
        int width = (int) shape(t, tx.lnFinal().weight(), where)[0];
        int layers = countLayers(t, tx.transformer());
        int mlp = (int) shape(t, tx.transformer().resblock(0).mlpCFc().weight(), where)[0];
        return new TextConfig(width, layers, heads(width, where), mlp,
                (int) shape(t, tx.positionalEmbedding(), where)[0], (int) shape(t, tx.tokenEmbedding(), where)[0],
                DEFAULT_EPS, Activation.QUICK_GELU, proj);
    }

    /** An HF text encoder file with no config.json beside it: sizes from shapes, CLIP's defaults otherwise. */
    static ClipConfig fromHfTextShapes(RawTensors t, String where) {
        long[] tok = shape(t, "text_model.embeddings.token_embedding.weight", where);   // [V, D]
        int width = (int) tok[1];
        int layers = countLayers(t, n -> n.startsWith("text_model.encoder.layers.") && n.endsWith(".self_attn.q_proj.weight"));
        int mlp = (int) shape(t, "text_model.encoder.layers.0.mlp.fc1.weight", where)[0];
        int ctx = (int) shape(t, "text_model.embeddings.position_embedding.weight", where)[0];
        int proj = t.names().contains("text_projection.weight") ? (int) t.spec("text_projection.weight").shape()[0] : 0;
        TextConfig text = new TextConfig(width, layers, heads(width, where), mlp, ctx, (int) tok[0],
                DEFAULT_EPS, Activation.QUICK_GELU, proj);
        return new ClipConfig(null, text, PreprocessConfig.clipDefaults(224));
    }

    private static int heads(int width, String where) {
        if (width % OPENAI_HEAD_DIM != 0) {
            throw new ConversionException(where + ": width " + width + " is not a multiple of 64, so the head count"
                    + " cannot be inferred (OpenAI layout stores none)");
        }
        return width / OPENAI_HEAD_DIM;
    }

    private static long[] shape(RawTensors t, String name, String where) {
        if (!t.names().contains(name)) {
            throw new ConversionException(where + ": missing tensor '" + name + "'");
        }
        return t.spec(name).shape();
    }

    private static int countLayers(RawTensors t, Predicate<String> marker) {
        return (int) t.names().stream().filter(marker).count();
    }

    /** Blocks of an OpenAI transformer: as {@code build_model} counts them, by their attention weights. */
    private static int countLayers(RawTensors t, TransformerNames transformer) {
        int n = 0;
        while (t.names().contains(transformer.resblock(n).attnInProjWeight())) {
            n++;
        }
        return n;
    }

    private static void checkScalar(RawTensors t, String name, int expected, String where) {
        if (!t.names().contains(name)) {
            return;
        }
        long[] v = t.longs(name);
        if (v.length != 1 || v[0] != expected) {
            throw new ConversionException(where + ": scalar '" + name + "' = " + Arrays.toString(v)
                    + " but the tensor shapes imply " + expected);
        }
    }
}
