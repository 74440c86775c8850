package dev.jclip.cli;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.zeroshot.LabelCache;
import dev.jclip.hub.HubOptions;
import dev.jclip.hub.ModelHub;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens {@code --model}: a converted file, an HF folder / OpenAI / GmP checkpoint (converted in
 * memory), or a Hub repository id, found in the caches or downloaded and converted once (see
 * {@link ModelHub}). Without {@code --model}: {@value ModelHub#DEFAULT_MODEL}.
 */
final class Models {
    private Models() {
    }

    /** The {@code --model} value, or the default model. */
    static String name(Args args) {
        String m = args.one("--model");
        return m != null ? m : ModelHub.DEFAULT_MODEL;
    }

    static ClipModel open(Args args) {
        return open(name(args));
    }

    static ClipModel open(String model) {
        Path p = Path.of(model);
        if (Files.exists(p)) {
            return ClipModel.load(Converter.open(p)); // the model owns the checkpoint and closes it
        }
        if (ModelHub.isRepoId(model)) {
            return ClipModel.load(new ModelHub(HubOptions.fromEnvironment(), Models::progress).resolve(model));
        }
        throw new UsageException("--model " + model + ": no such file or folder (nor a Hub id like " + ModelHub.DEFAULT_MODEL + ")");
    }

    /** Label embeddings cached under CLIP_HOME, by model, templates and labels. */
    /**
     * The model to search {@code index} with: {@code given} (a --model), else the one the index records;
     * a recorded file that is gone is said in those words, since the user named no model.
     */
    static String forIndex(String given, ImageIndex index, Path indexFile) {
        if (given != null) {
            return given;
        }
        String recorded = index.modelSource();
        if (recorded.isEmpty()) {
            throw new UsageException(indexFile + " records no model (it was imported from Parquet without --model);"
                    + " give the model with --model");
        }
        Path p = Path.of(recorded);
        if (p.isAbsolute() && !Files.exists(p)) {
            throw new UsageException(indexFile + " was built with the model " + recorded
                    + ", which is not there any more; give the model with --model");
        }
        return recorded;
    }

    static LabelCache labelCache() {
        return new LabelCache(HubOptions.fromEnvironment().clipHome().resolve("label-embeddings"));
    }

    private static long lastDraw;

    /** A download progress line on stderr, when stderr is a terminal. */
    private static void progress(String file, long done, long total) {
        if (System.console() == null || !System.console().isTerminal()) {
            return;
        }
        long now = System.nanoTime();
        if (done != total && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        PrintStream err = System.err;
        if (total > 0) {
            err.printf("\rdownloading %s: %d / %d MB (%d%%)%s", file, done >> 20, total >> 20, done * 100 / total, done == total ? "\n" : "");
        } else {
            err.printf("\rdownloading %s: %d MB", file, done >> 20);
        }
    }
}
