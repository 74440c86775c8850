package dev.jclip.core.zeroshot;

import dev.jclip.core.ClipModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes an image by ranking candidate phrases, one vocabulary at a time (medium, object, scene,
 * lighting, colour), and composing the best of each: "a photo of a tabby cat, indoors, in soft
 * light, mostly grey". It ranks phrases it was given; it does not generate free text.
 */
public final class Describer {
    /** One vocabulary: its phrases and the prompt that puts a phrase in context. */
    public record Vocabulary(String name, List<String> phrases, String template) {
    }

    /** The best phrase of one vocabulary and its probability among that vocabulary's phrases. */
    public record Part(String phrase, float score) {
    }

    /** The composed sentence and, per vocabulary, its best phrase. */
    public record Description(String text, Map<String, Part> parts) {
    }

    private final Map<String, ZeroShotClassifier> classifiers = new LinkedHashMap<>();

    /** The built-in vocabularies: 27 mediums, the 1000 ImageNet objects, 38 scenes, 12 lightings, 15 colours. */
    public static List<Vocabulary> builtIn() {
        return List.of(
                new Vocabulary("medium", list("mediums.txt"), "{}."),
                new Vocabulary("object", PromptTemplates.imagenetClasses(), "a photo of a {}."),
                new Vocabulary("scene", list("scenes.txt"), "a photo taken {}."),
                new Vocabulary("lighting", list("lighting.txt"), "a photo taken {}."),
                new Vocabulary("colour", list("colours.txt"), "a photo in which most things are {}."));
    }

    private static List<String> list(String resource) {
        return PromptTemplates.lines(PromptTemplates.resource(resource));
    }

    /**
     * Embeds every vocabulary's phrases once (or reads them from {@code cache}, which may be null);
     * describing an image is then one image encode.
     */
    public Describer(ClipModel clip, List<Vocabulary> vocabularies, LabelCache cache) {
        for (Vocabulary v : vocabularies) {
            classifiers.put(v.name(), new ZeroShotClassifier(clip, v.phrases(),
                    new PromptTemplates(v.name(), List.of(v.template())), cache));
        }
    }

    public Description describe(float[] imageEmbedding) {
        Map<String, Part> parts = new LinkedHashMap<>();
        for (Map.Entry<String, ZeroShotClassifier> e : classifiers.entrySet()) {
            Label best = e.getValue().classify(imageEmbedding).getFirst();
            parts.put(e.getKey(), new Part(best.label(), best.probability()));
        }
        return new Description(compose(parts), parts);
    }

    /** "{medium} of a {object}, {scene}, {lighting}, mostly {colour}", with whichever parts exist. */
    static String compose(Map<String, Part> parts) {
        StringBuilder sb = new StringBuilder();
        Part medium = parts.get("medium");
        Part object = parts.get("object");
        if (medium != null) {
            sb.append(medium.phrase());
        }
        if (object != null) {
            sb.append(sb.isEmpty() ? "" : " of ").append(article(object.phrase())).append(' ').append(object.phrase());
        }
        for (String name : List.of("scene", "lighting")) {
            if (parts.get(name) != null) {
                sb.append(sb.isEmpty() ? "" : ", ").append(parts.get(name).phrase());
            }
        }
        if (parts.get("colour") != null) {
            sb.append(sb.isEmpty() ? "" : ", ").append("mostly ").append(parts.get("colour").phrase());
        }
        return sb.toString();
    }

    private static String article(String noun) {
        return !noun.isEmpty() && "aeiouAEIOU".indexOf(noun.charAt(0)) >= 0 ? "an" : "a";
    }
}
