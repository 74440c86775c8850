package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/embeddings}, in the shape of OpenAI's embeddings API: {@code input} is a string, an
 * array of strings, or an array of {@code {"image": "<base64>"}} (mixing both is allowed);
 * {@code encoding_format} is {@code float} or {@code base64} (little-endian float32, as OpenAI's).
 * Embeddings are CLIP's projected embeddings as the reference returns them, not normalised, unless
 * {@code "normalize": true}. Texts longer than the context are cut to it, as HF's tokenizer does.
 */
final class EmbeddingsApi implements Endpoint {
    private final ClipModel clip;
    private final String modelName;
    private final InferenceQueue queue;
    private final ImageInputs images;
    private final int maxInputs;

    EmbeddingsApi(ClipModel clip, String modelName, InferenceQueue queue, ImageInputs images, int maxInputs) {
        this.clip = clip;
        this.modelName = modelName;
        this.queue = queue;
        this.images = images;
        this.maxInputs = maxInputs;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        Map<String, Object> body = call.json();
        Object input = body.get("input");
        if (input == null) {
            throw ApiException.badRequest("input is required: a string, an array of strings, or an array of {\"image\": base64}");
        }
        List<?> inputs = input instanceof String s ? List.of(s) : Requests.list(input, "input");
        if (inputs.isEmpty()) {
            throw ApiException.badRequest("input is an empty array");
        }
        Requests.requireAtMost(inputs.size(), maxInputs, "inputs");
        Requests.optionalString(body, "model");   // any name is accepted: this server serves one model
        String format = Requests.optionalString(body, "encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw ApiException.badRequest("encoding_format must be float or base64, not '" + format + "'");
        }
        if (body.containsKey("dimensions") && !Long.valueOf(clip.embedDim()).equals(body.get("dimensions"))) {
            throw ApiException.badRequest("this model's embeddings have " + clip.embedDim()
                    + " dimensions; CLIP embeddings cannot be shortened");
        }
        Object normalize = body.getOrDefault("normalize", Boolean.FALSE);
        if (!(normalize instanceof Boolean)) {
            throw ApiException.badRequest("normalize must be true or false");
        }

        List<String> texts = new ArrayList<>();
        List<Integer> textAt = new ArrayList<>();
        List<byte[]> encoded = new ArrayList<>();
        List<Integer> imageAt = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Object in = inputs.get(i);
            if (in instanceof String text) {
                texts.add(Requests.text(text, Requests.MAX_TEXT_CHARS, "input[" + i + "]"));
                textAt.add(i);
                tokens += clip.tokenize(text).length;
            } else if (in instanceof Map<?, ?> m && m.containsKey("image") && m.size() == 1) {
                encoded.add(ImageInputs.base64(m.get("image"), "input[" + i + "].image"));
                imageAt.add(i);
            } else {
                throw ApiException.badRequest("input[" + i + "] must be a string or {\"image\": base64}"
                        + (in instanceof List ? " (token arrays are not accepted; send the text)" : ""));
            }
        }

        call.admit();
        List<float[]> pixels = new ArrayList<>();
        for (int j = 0; j < encoded.size(); j++) {
            pixels.add(images.pixels(encoded.get(j), "input[" + imageAt.get(j) + "].image"));
        }
        float[][] out = new float[inputs.size()][];
        List<float[]> textEmbeds = queue.embedTexts(texts);
        for (int i = 0; i < texts.size(); i++) {
            out[textAt.get(i)] = textEmbeds.get(i);
        }
        List<float[]> imageEmbeds = queue.embedPixels(pixels);
        for (int i = 0; i < pixels.size(); i++) {
            out[imageAt.get(i)] = imageEmbeds.get(i);
        }

        List<Object> data = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            float[] e = (Boolean) normalize ? EmbeddingMath.normalized(out[i]) : out[i];
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("object", "embedding");
            item.put("index", i);
            item.put("embedding", "base64".equals(format) ? base64(e) : e);
            data.add(item);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("object", "list");
        response.put("data", data);
        response.put("model", modelName);
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        response.put("usage", usage);
        call.json(200, response);
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
