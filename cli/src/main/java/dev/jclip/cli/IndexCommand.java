package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.lucene.AnnIndex;
import dev.jclip.parquet.EmbeddingTable;
import dev.jclip.parquet.ParquetFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * {@code ./clip index DIR --model M --out INDEX [--dtype f16|f32] [--exclude GLOB]... [--ann]}: embed a
 * folder of images for search. Progress is journalled as it goes, so an interrupted run is resumed by
 * running the same command again. {@code ./clip index --from-parquet TABLE --out INDEX [--model M]}
 * builds the index from embeddings computed elsewhere (jclip's Spark job). With {@code --ann}, or from
 * {@value AnnIndex#AUTO_FROM} entries, or when the index already has one, a Lucene graph is built beside it.
 */
final class IndexCommand implements Command {
    @Override
    public String name() {
        return "index";
    }

    @Override
    public String usage() {
        return "index (DIR --model M | --from-parquet TABLE [--model M]) --out INDEX [--dtype f16|f32] [--exclude GLOB]... [--ann]"
                + "   embed every image under DIR (again: only what changed), or import a Spark job's embeddings";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--out", "--dtype", "--from-parquet"), Set.of("--exclude"), Set.of("--ann"));
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        Path out = Path.of(args.required("--out"));
        String dtype = args.one("--dtype") == null ? "f16" : args.one("--dtype");
        if (!dtype.equals("f16") && !dtype.equals("f32")) {
            throw new UsageException("--dtype must be f16 or f32, not '" + dtype + "'");
        }
        if (args.one("--from-parquet") != null) {
            if (!args.positional().isEmpty() || !args.list("--exclude").isEmpty()) {
                throw new UsageException("index --from-parquet takes no folder DIR and no --exclude: the table says which images");
            }
            int status = fromParquet(Path.of(args.one("--from-parquet")), out, args.one("--model"), dtype.equals("f16"), console);
            buildGraphIfWanted(out, args.flag("--ann"), console);
            return status;
        }
        String model = Models.name(args);
        if (args.positional().size() != 1) {
            throw new UsageException("index takes one folder DIR (got " + args.positional().size() + ")");
        }
        Path dir = Path.of(args.positional().getFirst());
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
        buildGraphIfWanted(out, args.flag("--ann"), console);
        return r.failed().isEmpty() ? 0 : 1;
    }

    private static int fromParquet(Path table, Path out, String model, boolean f16, Console console) throws IOException {
        if (!Files.exists(table)) {
            throw new UsageException("--from-parquet " + table + ": no such file or folder");
        }
        try {
            // An exported index says which model built it; the Spark job's output does not.
            Map<String, String> metadata = EmbeddingTable.metadata(table);
            String source = metadata.getOrDefault(EmbeddingTable.MODEL_SOURCE_KEY, "");
            String expectedId = null;
            if (model != null) {
                try (ClipModel clip = Models.open(model)) {
                    expectedId = clip.modelId();
                }
                source = Files.exists(Path.of(model)) ? Path.of(model).toAbsolutePath().normalize().toString() : model;
            }
            long t0 = System.nanoTime();
            ParquetImport.Report r = ParquetImport.run(table, metadata, out, expectedId, source, f16);
            console.err().printf("indexed %d images into %s from %s in %.1f s: %d rows with an error left out, %d repeated paths left out"
                            + " (model %s, paths relative to %s)%n", r.indexed(), out, table, (System.nanoTime() - t0) / 1e9, r.errors(),
                    r.duplicates(), r.modelId(), r.imagesDir().isEmpty() ? "nothing: kept as given" : r.imagesDir());
            if (source.isEmpty()) {
                console.err().println("note: the table does not say which model made it and no --model was given,"
                        + " so search and serve will need --model for this index");
            }
            return 0;
        } catch (ParquetFormatException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Builds the Lucene graph beside {@code out} when asked ({@code --ann}), when the index is big
     * enough for exact search to be slow, or when it already has one (which would be out of date now).
     */
    private static void buildGraphIfWanted(Path out, boolean asked, Console console) throws IOException {
        try (ImageIndex index = ImageIndex.open(out)) {
            AnnIndex.State state = AnnIndex.state(out, index);
            if (!asked && index.size() < AnnIndex.AUTO_FROM && state == AnnIndex.State.ABSENT || state == AnnIndex.State.CURRENT) {
                return;
            }
            long t0 = System.nanoTime();
            try (ProgressBar bar = new ProgressBar(console, "graph")) {
                AnnIndex.build(index, out, bar::update);
            }
            console.err().printf("built the Lucene graph %s in %.1f s%n", AnnIndex.besideIndex(out), (System.nanoTime() - t0) / 1e9);
        }
    }
}
