package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.json.Json;
import dev.jclip.core.zeroshot.Describer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip describe --model M IMAGE...}: a short description per image, composed from the best
 * phrase of each built-in vocabulary. It ranks candidate phrases; it does not generate free text.
 */
final class DescribeCommand implements Command {
    @Override
    public String name() {
        return "describe";
    }

    @Override
    public String usage() {
        return "describe --model M IMAGE...                          \"a photo of a tabby cat, indoors, ...\": ranks built-in\n"
                + "                                                       phrases (medium, object, scene, lighting, colour); it\n"
                + "                                                       does not generate free text";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) {
        String model = Models.name(args);
        if (args.positional().isEmpty()) {
            throw new UsageException("describe needs at least one IMAGE");
        }
        int failed = 0;
        try (ClipModel clip = Models.open(model)) {
            Describer describer = new Describer(clip, Describer.builtIn(), Models.labelCache());
            for (String image : args.positional()) {
                Describer.Description d;
                try {
                    d = describer.describe(clip.encodeImage(Path.of(image)));
                } catch (RuntimeException e) {
                    console.inputFailed(image, e);
                    failed++;
                    continue;
                }
                Map<String, Object> parts = new LinkedHashMap<>();
                d.parts().forEach((name, part) -> {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("phrase", part.phrase());
                    p.put("score", part.score());
                    parts.put(name, p);
                });
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("image", image);
                line.put("description", d.text());
                line.put("parts", parts);
                console.out().println(Json.write(line));
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
