package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.json.Json;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip search --index INDEX "text query" [-k 10]} or {@code --image PATH}: JSON lines
 * {@code {"path", "score"}}, best first. The model is the index's own unless {@code --model} is given.
 */
final class SearchCommand implements Command {
    @Override
    public String name() {
        return "search";
    }

    @Override
    public String usage() {
        return "search --index INDEX (\"text query\" | --image PATH) [-k 10] [--model M]   nearest images, best first";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--index", "--image", "-k", "--model"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) {
        Path indexFile = Path.of(args.required("--index"));
        String image = args.one("--image");
        List<String> words = args.positional();
        if ((image == null) == words.isEmpty()) {
            throw new UsageException("search takes either a text query or --image PATH");
        }
        String query = String.join(" ", words);
        if (image == null) {
            Texts.requireNonBlank(List.of(query));
        }
        int k = args.positiveInt("-k", 10);
        try (ImageIndex index = ImageIndex.open(indexFile);
             ClipModel clip = Models.open(args.one("--model") != null ? args.one("--model") : index.modelSource())) {
            index.checkModel(clip);
            float[] q;
            if (image != null) {
                q = clip.encodeImage(Path.of(image));
            } else {
                if (clip.truncates(query)) {
                    console.err().println("warning: the query has more than " + clip.config().text().contextLength()
                            + " tokens; only the first ones are used");
                }
                q = clip.encodeText(query);
            }
            for (ImageIndex.Hit hit : index.search(q, k)) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("path", hit.path());
                line.put("score", hit.score());
                console.out().println(Json.write(line));
            }
        }
        return 0;
    }
}
