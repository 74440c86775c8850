package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.Similarity;
import dev.jclip.core.json.Json;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code ./clip similarity --model M --image PATH... --text T...}: logits and probabilities per image. */
final class SimilarityCommand implements Command {
    @Override
    public String name() {
        return "similarity";
    }

    @Override
    public String usage() {
        return "similarity --model M --image PATH... --text T...     logits_per_image and softmax over the texts";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model"), Set.of("--image", "--text"), Set.of());
    }

    @Override
    public int run(Args args, Console console) {
        String model = Models.name(args);
        args.requireNoPositional("use --image or --text");
        List<String> images = args.list("--image");
        List<String> texts = args.list("--text");
        if (images.isEmpty() || texts.isEmpty()) {
            throw new UsageException("similarity needs at least one --image and one --text");
        }
        Texts.requireNonBlank(texts);
        int failed = 0;
        try (ClipModel clip = Models.open(model)) {
            List<float[]> textEmbeds = clip.encodeTexts(texts);
            for (String image : images) {
                float[] embedding;
                try {
                    embedding = clip.encodeImage(Path.of(image));
                } catch (RuntimeException e) {
                    console.inputFailed(image, e);
                    failed++;
                    continue;
                }
                Similarity s = clip.similarity(List.of(embedding), textEmbeds);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("image", image);
                line.put("logits", s.logitsPerImage()[0]);
                line.put("probs", s.probs()[0]);
                console.out().println(Json.write(line));
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
