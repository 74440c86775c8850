package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** {@code ./clip index DIR --model M --out INDEX [--dtype f16|f32]}: embed a folder of images for search. */
final class IndexCommand implements Command {
    @Override
    public String name() {
        return "index";
    }

    @Override
    public String usage() {
        return "index DIR --model M --out INDEX [--dtype f16|f32]   embed every image under DIR; again: only what changed";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--out", "--dtype"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        String model = Models.name(args);
        Path out = Path.of(args.required("--out"));
        if (args.positional().size() != 1) {
            throw new UsageException("index takes one folder DIR (got " + args.positional().size() + ")");
        }
        Path dir = Path.of(args.positional().getFirst());
        String dtype = args.one("--dtype") == null ? "f16" : args.one("--dtype");
        if (!dtype.equals("f16") && !dtype.equals("f32")) {
            throw new UsageException("--dtype must be f16 or f32, not '" + dtype + "'");
        }
        // Recorded in the index so that search can find the model again from another directory.
        String source = Files.exists(Path.of(model)) ? Path.of(model).toAbsolutePath().normalize().toString() : model;
        long t0 = System.nanoTime();
        ImageIndex.BuildReport r;
        try (ClipModel clip = Models.open(model); ProgressBar bar = new ProgressBar(console.err(), "embedding")) {
            r = ImageIndex.build(clip, source, dir, out, dtype.equals("f16"), bar::update);
        }
        for (String failure : r.failed()) {
            console.err().println("error: " + failure);
        }
        console.err().printf("indexed %d images into %s in %.1f s: %d embedded, %d unchanged, %d removed, %d unreadable%n",
                r.indexed(), out, (System.nanoTime() - t0) / 1e9, r.embedded(), r.reused(), r.removed(), r.failed().size());
        return r.failed().isEmpty() ? 0 : 1;
    }
}
