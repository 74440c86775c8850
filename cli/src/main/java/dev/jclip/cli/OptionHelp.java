package dev.jclip.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One line per option for {@code ./clip help COMMAND} and {@code COMMAND --help}: written once here, an
 * option shared by several commands described once (a command-specific meaning is keyed
 * "command option").
 */
final class OptionHelp {
    private static final Map<String, String> LINES = Map.ofEntries(
            Map.entry("--model", "the model: a converted .safetensors file, an HF folder, an OpenAI/GmP checkpoint, or a Hub id (default zer0int/CLIP-GmP-ViT-L-14)"),
            Map.entry("--dtype", "how the output stores numbers: f32, f16 (half the size) or bf16"),
            Map.entry("index --dtype", "how the index stores vectors: f16 (default) or f32"),
            Map.entry("--image", "an image file (JPEG, PNG, GIF, BMP, TIFF, WebP; repeatable)"),
            Map.entry("search --image", "find images like this one instead of a text query"),
            Map.entry("--text", "a text to embed (repeatable)"),
            Map.entry("--out", "the file to write"),
            Map.entry("index --out", "the index file to write (its progress goes to INDEX.journal beside it until done)"),
            Map.entry("--exclude", "leave out paths matching this glob, relative to DIR (repeatable), e.g. 'drafts/**'"),
            Map.entry("--index", "an index file made by ./clip index"),
            Map.entry("--compare", "a reference trace (.safetensors, tensors named as the steps; scripts/reference_trace.py makes one)"),
            Map.entry("trace --out", "also write this trace as .safetensors, one F32 tensor per step"),
            Map.entry("trace --image", "trace the image tower on this image"),
            Map.entry("trace --text", "trace the text tower on this text"),
            Map.entry("-k", "how many results (default 10)"),
            Map.entry("--min-score", "leave out results with a lower cosine similarity (-1..1)"),
            Map.entry("--paths", "print absolute image paths only, one per line"),
            Map.entry("--exact", "score every vector, even in an index large enough for the fast search or with a Lucene graph"),
            Map.entry("--from-parquet", "build the index from a Parquet table (path, embedding, error, model; a file or Spark's output folder)"),
            Map.entry("--ann", "also build a Lucene HNSW graph beside the index for fast approximate search (automatic from 1,000,000 images)"),
            Map.entry("--parquet", "the Parquet file to write"),
            Map.entry("index --model", "the model to embed with; with --from-parquet, the model that made the table (checked against it)"),
            Map.entry("--labels", "the class labels, comma-separated"),
            Map.entry("--labels-file", "a file of class labels, one per line"),
            Map.entry("--templates", "clip (the CLIP paper's 80 prompts, default), none (labels as they are), or a file of templates with {}"),
            Map.entry("--top", "print only the best K labels"),
            Map.entry("--batch", "images per forward pass (default 1)"),
            Map.entry("--runs", "timed runs after the warm-up (default 5)"),
            Map.entry("--images", "where the indexed images are, if they moved since indexing"),
            Map.entry("--host", "the address to listen on (default 127.0.0.1; another is reachable from the network: use a token)"),
            Map.entry("--port", "the port (default 8080; 0 picks a free one)"),
            Map.entry("--token-file", "a file holding the bearer token every API request must carry"),
            Map.entry("--max-body-mb", "larger request bodies get 413 (default 20)"),
            Map.entry("--max-pixels", "larger images get 400 before they are decoded (default 40000000)"),
            Map.entry("--max-inputs", "more texts or images in one request get 400 (default 64)"),
            Map.entry("--queue", "requests in the inference path at once; one more gets 503 (default 32)"),
            Map.entry("--read-timeout", "seconds a request body may take to arrive; then 408 (default 30)"),
            Map.entry("--grace", "seconds requests in flight may take to finish after SIGTERM (default 30)"),
            Map.entry("--no-warm-up", "start without warm-up passes (by default the model runs a few on made-up inputs while no request waits, so the first request does not wait for the JIT)"));

    private OptionHelp() {
    }

    /** The command's usage line and one line per option it takes. */
    static List<String> lines(Command command) {
        List<String> out = new ArrayList<>();
        out.add("usage: ./clip " + command.usage());
        Set<String> options = new LinkedHashSet<>();
        options.addAll(command.spec().single());
        options.addAll(command.spec().multi());
        options.addAll(command.spec().flags());
        List<String> sorted = new ArrayList<>(options);
        sorted.sort(null);
        if (!sorted.isEmpty()) {
            out.add("");
            out.add("options:");
        }
        for (String option : sorted) {
            String line = LINES.getOrDefault(command.name() + " " + option, LINES.get(option));
            out.add(String.format("  %-16s %s", option, line == null ? "" : line));
        }
        out.add("  --verbose        on an error, print the stack trace too");
        return out;
    }
}
