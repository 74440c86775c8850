package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.zeroshot.Label;
import dev.jclip.core.zeroshot.PromptTemplates;
import dev.jclip.core.zeroshot.ZeroShotClassifier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/classify}: an image and labels in, the labels ranked by probability out.
 * {@code labels} is an array or a comma-separated string; {@code templates} is {@code clip} (the
 * default, CLIP's 80 ImageNet prompts), {@code none}, or an array of templates with {@code {}};
 * {@code top} keeps the best few.
 */
final class ClassifyApi implements Endpoint {
    private static final int MAX_TEMPLATES = 100;

    private final ClipModel clip;
    private final String modelName;
    private final InferenceQueue queue;
    private final ImageInputs images;
    private final LabelEmbeddings labelEmbeddings;
    private final int maxInputs;

    ClassifyApi(ClipModel clip, String modelName, InferenceQueue queue, ImageInputs images,
                LabelEmbeddings labelEmbeddings, int maxInputs) {
        this.clip = clip;
        this.modelName = modelName;
        this.queue = queue;
        this.images = images;
        this.labelEmbeddings = labelEmbeddings;
        this.maxInputs = maxInputs;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        ImageRequest req = ImageRequest.read(call, true);
        List<String> labels = labels(req.fields().get("labels"), req.form());
        Requests.requireAtMost(labels.size(), maxInputs, "labels");
        PromptTemplates templates = templates(req.fields().get("templates"));
        int top = Requests.positiveInt(req.fields().get("top"), "top", labels.size(), labels.size());

        call.admit();
        float[] pixels = images.pixels(req.image(), "image");
        float[][] labelEmbeds = labelEmbeddings.of(labels, templates);
        float[] imageEmbed = queue.embedPixels(List.of(pixels)).getFirst();
        List<Label> ranked = ZeroShotClassifier.of(clip, labels, labelEmbeds).classify(imageEmbed);

        List<Object> out = new ArrayList<>();
        for (Label l : ranked.subList(0, top)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("label", l.label());
            item.put("probability", l.probability());
            item.put("logit", l.logit());
            out.add(item);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("model", modelName);
        response.put("templates", templates.name());
        response.put("labels", out);
        call.json(200, response);
    }

    /**
     * JSON: an array of labels (a label may hold a comma), or one comma-separated string. A form:
     * comma-separated in each {@code labels} field, which may be repeated.
     */
    private static List<String> labels(Object v, boolean form) {
        if (v == null) {
            throw ApiException.badRequest("labels are required: an array, or a comma-separated string");
        }
        List<?> raw = v instanceof List<?> l ? l : List.of(v);
        boolean split = form || v instanceof String;
        LinkedHashSet<String> labels = new LinkedHashSet<>();
        for (Object o : raw) {
            if (!(o instanceof String s)) {
                throw ApiException.badRequest("labels must be strings");
            }
            for (String p : split ? s.split(",") : new String[]{s}) {
                if (!p.isBlank()) {
                    labels.add(Requests.text(p.strip(), Requests.MAX_LABEL_CHARS, "a label"));
                }
            }
        }
        if (labels.isEmpty()) {
            throw ApiException.badRequest("the label list is empty");
        }
        return List.copyOf(labels);
    }

    private static PromptTemplates templates(Object v) {
        if (v == null || "clip".equals(v)) {
            return PromptTemplates.clip();
        }
        if ("none".equals(v)) {
            return PromptTemplates.none();
        }
        if (v instanceof String s && s.contains("{}")) {   // one template, as a form field gives it
            v = List.of(s);
        }
        if (v instanceof List<?> l) {
            Requests.requireAtMost(l.size(), MAX_TEMPLATES, "templates");
            List<String> ts = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) {
                    throw ApiException.badRequest("templates must be strings with {} where the label goes");
                }
                ts.add(Requests.text(s, Requests.MAX_LABEL_CHARS, "a template"));
            }
            try {
                return new PromptTemplates("custom", ts);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        throw ApiException.badRequest("templates must be \"clip\", \"none\" or an array of templates with {}");
    }
}
