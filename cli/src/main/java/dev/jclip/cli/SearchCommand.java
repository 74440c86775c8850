package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.json.Json;
import dev.jclip.lucene.IndexSearch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip search --index INDEX "text query" [-k 10]} or {@code --image PATH}: JSON lines
 * {@code {"path", "score"}}, best first. The model is the index's own unless {@code --model} is given.
 * {@code --paths} prints absolute paths alone, one per line, for piping into a viewer;
 * {@code --min-score S} drops weaker hits. A big index is searched through its Lucene graph
 * ({@code INDEX.lucene}, built by {@code ./clip index --ann}) when it has a current one;
 * {@code --exact} scores every vector instead, whatever the index's size.
 */
final class SearchCommand implements Command {
    @Override
    public String name() {
        return "search";
    }

    @Override
    public String usage() {
        return "search --index INDEX (\"text query\" | --image PATH) [-k 10] [--min-score S] [--paths] [--exact] [--model M]   nearest images, best first";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--index", "--image", "-k", "--model", "--min-score"), Set.of(), Set.of("--paths", "--exact"));
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
        double minScore = minScore(args.one("--min-score"));
        boolean paths = args.flag("--paths");
        try (ImageIndex index = ImageIndex.open(indexFile);
             ClipModel clip = Models.open(Models.forIndex(args.one("--model"), index, indexFile))) {
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
            List<ImageIndex.Hit> hits;
            if (args.flag("--exact")) {
                hits = index.searchExact(q, k);
            } else {
                try (IndexSearch search = IndexSearch.open(indexFile, index)) {
                    if (search.staleWarning() != null) {
                        console.err().println(search.staleWarning());
                    }
                    hits = search.search(q, k);
                }
            }
            Path folder = index.imagesDir() != null ? index.imagesDir() : indexFile.toAbsolutePath().getParent();
            for (ImageIndex.Hit hit : hits) {
                if (hit.score() < minScore) {
                    break; // best first: the rest are weaker still
                }
                if (paths) {
                    console.out().println(folder.resolve(hit.path()).normalize());
                    continue;
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("path", hit.path());
                line.put("score", hit.score());
                console.out().println(Json.write(line));
            }
        }
        return 0;
    }

    private static double minScore(String value) {
        if (value == null) {
            return Double.NEGATIVE_INFINITY;
        }
        try {
            double s = Double.parseDouble(value);
            if (s >= -1 && s <= 1) {
                return s;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("--min-score must be a cosine similarity from -1 to 1, not '" + value + "'");
    }
}
