package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * {@code ./clip index DIR --model M --out INDEX [--dtype f16|f32] [--exclude GLOB]...}: embed a folder
 * of images for search. Progress is journalled as it goes, so an interrupted run is resumed by running
 * the same command again.
 */
final class IndexCommand implements Command {
    @Override
    public String name() {
        return "index";
    }

    @Override
    public String usage() {
        return "index DIR --model M --out INDEX [--dtype f16|f32] [--exclude GLOB]...   embed every image under DIR; again: only what changed";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--out", "--dtype"), Set.of("--exclude"), Set.of());
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
        List<String> excludes = args.list("--exclude");
        // Recorded in the index so that search can find the model again from another directory.
        String source = Files.exists(Path.of(model)) ? Path.of(model).toAbsolutePath().normalize().toString() : model;
        long t0 = System.nanoTime();
        ImageIndex.BuildReport r;
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        // Ctrl-C: the journal already holds every finished batch; say so, and how to go on.
        Thread onInterrupt = new Thread(() -> {
            if (!finished.get()) {
                console.err().println();
                console.err().println("interrupted: " + done.get() + " images of this run are saved in " + out + ".journal; "
                        + out + " is unchanged. Run the same command again to resume.");
                console.err().flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (ClipModel clip = Models.open(model); ProgressBar bar = new ProgressBar(console, "embedding")) {
            r = ImageIndex.build(clip, source, dir, out, dtype.equals("f16"), excludes, new ImageIndex.Progress() {
                @Override
                public void update(int n, int total) {
                    done.set(n);
                    bar.update(n, total);
                }

                @Override
                public void failed(String failure) {
                    bar.failed("error: " + failure);
                }
            });
        } finally {
            finished.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs and reports
            }
        }
        for (String link : r.skippedLinks()) {
            console.err().println("skipped: " + link);
        }
        String notImages = r.notImages().isEmpty() ? "" : " (" + r.notImages().entrySet().stream()
                .map(e -> e.getValue() + " ." + e.getKey()).collect(Collectors.joining(", ")) + ")";
        console.err().printf("indexed %d images into %s in %.1f s: %d embedded, %d unchanged, %d resumed, %d removed, %d unreadable, "
                        + "%d skipped as not images%s%n",
                r.indexed(), out, (System.nanoTime() - t0) / 1e9, r.embedded(), r.reused(), r.resumed(), r.removed(),
                r.failed().size(), r.notImageCount(), notImages);
        return r.failed().isEmpty() ? 0 : 1;
    }
}
