package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.json.Json;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code ./clip embed --model M [--image PATH]... [--text T]...}: one line per input, in order. */
final class EmbedCommand implements Command {
    @Override
    public String name() {
        return "embed";
    }

    @Override
    public String usage() {
        return "embed --model M [--image PATH]... [--text T]...      projected (not normalised) embeddings";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model"), Set.of("--image", "--text"), Set.of());
    }

    @Override
    public int run(Args args, Console console) {
        String model = Models.name(args);
        args.requireNoPositional("use --image or --text");
        if (args.all().isEmpty() || args.list("--image").isEmpty() && args.list("--text").isEmpty()) {
            throw new UsageException("embed needs at least one --image or --text");
        }
        Texts.requireNonBlank(args.list("--text"));
        int failed = 0;
        try (ClipModel clip = Models.open(model)) {
            for (Args.Value v : args.all()) {
                boolean image = "--image".equals(v.option());
                if (!image && !"--text".equals(v.option())) {
                    continue;
                }
                float[] embedding;
                try {
                    embedding = image ? clip.encodeImage(Path.of(v.value())) : clip.encodeText(v.value());
                } catch (RuntimeException e) {
                    if (!image) {
                        throw e;
                    }
                    console.inputFailed(v.value(), e);
                    failed++;
                    continue;
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("type", image ? "image" : "text");
                line.put("input", v.value());
                line.put("embedding", embedding);
                console.out().println(Json.write(line));
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
