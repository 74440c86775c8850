package dev.jclip.core;

import dev.jclip.tensor.ScalarKernels;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Forward passes on made-up inputs, so that the first real request does not wait for the JIT.
 *
 * <p>The kernels start interpreted and are compiled once they have run a while: on the development
 * machine (2 cores) the first image pass of ViT-L/14 took 2.5–4.4 s against 0.8–1.1 s once compiled,
 * and the first short texts after images waited for a kernel of their own (a text's last 7–8 rows
 * have one). A server runs these passes while it has nothing else to do; a program that embeds the
 * model can call {@link #run} at start for the same. The passes cover what requests bring: texts
 * first (they get the matrix kernels compiled in a fraction of an image pass's time), then images,
 * then short texts again until their kernel is compiled too.
 */
public final class WarmUp {
    private enum Pass { SHORT_TEXT, FULL_TEXT, IMAGE }

    /**
     * Measured on ViT-L/14 (2 cores): after these, image, 77-token and short-text passes all ran at
     * their steady speed; the first short text took 1.2 s, the first image after the texts 1.6 s
     * (steady 1.2–1.3 s in that hour), the whole sequence 5.4 s.
     */
    private static final List<Pass> PASSES = List.of(Pass.SHORT_TEXT, Pass.SHORT_TEXT, Pass.FULL_TEXT, Pass.IMAGE,
            Pass.IMAGE, Pass.FULL_TEXT, Pass.SHORT_TEXT, Pass.SHORT_TEXT, Pass.SHORT_TEXT, Pass.SHORT_TEXT,
            Pass.SHORT_TEXT, Pass.SHORT_TEXT, Pass.SHORT_TEXT, Pass.SHORT_TEXT);

    private WarmUp() {
    }

    /**
     * Runs the warm-up passes in order while {@code proceed} says so (it is asked before each pass: a
     * server stops as soon as a real request waits, since that warms the kernels as well). Image passes
     * are left out for a model without a vision tower. Returns the number of passes run.
     */
    public static int run(ClipModel clip, BooleanSupplier proceed) {
        int[] shortText = clip.tokenize("a photo of a cat");
        int[] fullText = fullContext(shortText, clip.config().text().contextLength());
        int ran = 0;
        for (Pass pass : passesFor(clip)) {
            if (!proceed.getAsBoolean()) {
                break;
            }
            switch (pass) {
                case SHORT_TEXT -> clip.encodeTokens(shortText);
                case FULL_TEXT -> clip.encodeTokens(fullText);
                case IMAGE -> clip.encodePixels(blankImage(clip));
            }
            ran++;
        }
        return ran;
    }

    /**
     * Whether warming up pays for this model's kernels: the Vector API kernels run as slow Java code
     * until they are compiled, while the scalar specification's plain loops are compiled within the
     * first pass (on ViT-L/14 its first short text took 0.62 s and later ones 0.62–0.72 s) and its
     * image pass takes over a minute, so warming it up would only keep the cores busy.
     */
    public static boolean pays(ClipModel clip) {
        return !(clip.kernels() instanceof ScalarKernels);
    }

    /** How many passes {@link #run} makes for this model when never told to stop. */
    public static int passes(ClipModel clip) {
        return passesFor(clip).size();
    }

    /** {@link #PASSES}, without the image passes for a model that has no vision tower. */
    private static List<Pass> passesFor(ClipModel clip) {
        return PASSES.stream().filter(p -> p != Pass.IMAGE || clip.hasVision()).toList();
    }

    /** A pixel tensor [C, S, S] of zeros: the normalised mean colour. */
    private static float[] blankImage(ClipModel clip) {
        int s = clip.config().vision().imageSize();
        return new float[clip.config().vision().channels() * s * s];
    }

    /** {@code <|startoftext|>}, the first word repeated, {@code <|endoftext|>}: a text as long as the context. */
    private static int[] fullContext(int[] ids, int contextLength) {
        int[] full = new int[Math.max(ids.length, contextLength)];
        Arrays.fill(full, ids[1]);
        full[0] = ids[0];
        full[full.length - 1] = ids[ids.length - 1];
        return full;
    }
}
