package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.image.RgbImage;
import dev.jclip.core.json.Json;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Parallel;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ./clip bench --model M [--batch N] [--runs R]}: end-to-end speed and memory, one JSON line.
 * Times are medians of R runs after warm-up (at least 2 calls and 2 s of each kind), wall clock,
 * including preprocessing and tokenizing.
 * The image pass is also given in GFLOP/s and as a share of the machine's FMA peak, measured after
 * the timed runs on the same threads ({@code Kernels.fmaPeakGflops}, 1 s).
 */
final class BenchCommand implements Command {
    private static final String SHORT_TEXT = "a photo of a cat";
    /**
     * Unmeasured calls before each measured kind: at least this many, and for at least WARMUP_SECONDS.
     * Two calls are not enough for a text: the JIT was still compiling and replacing the kernels a
     * 7-token text uses (its 8-row GEMM kernel, which no image needs) over its first ~10 calls, which
     * took 25-77 ms against ~20 ms after.
     */
    private static final int WARMUP = 2;
    private static final double WARMUP_SECONDS = 2.0;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String usage() {
        return "bench --model M [--batch N] [--runs R]             median seconds per image / text, load time, peak RSS";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--batch", "--runs"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        int batch = args.positiveInt("--batch", 1);
        int runs = args.positiveInt("--runs", 5);
        long t0 = System.nanoTime();
        try (ClipModel clip = Models.open(args)) {
            double loadS = seconds(t0);
            if (!clip.hasVision()) {
                throw new UsageException("bench needs a model with an image tower");
            }
            RgbImage image = syntheticImage(640, 480);
            List<RgbImage> images = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                images.add(image);
            }
            long tFirst = System.nanoTime();
            clip.encodeImage(image);
            double firstS = seconds(tFirst);
            String longText = "word ".repeat(clip.config().text().contextLength());   // truncated to the full context
            if (clip.tokenize(longText).length != clip.config().text().contextLength()) {
                throw new IllegalStateException("the long text does not fill the context");
            }
            double imageS = median(runs, () -> clip.encodeImagesRgb(images)) / batch;
            double textS = median(runs, () -> clip.encodeText(longText));
            double shortS = median(runs, () -> clip.encodeText(SHORT_TEXT));
            double imageGflops = clip.config().vision().forwardFlops() / imageS / 1e9;
            double peak = clip.kernels().fmaPeakGflops(1000);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("image_s", round(imageS));
            line.put("image_gflops", Math.round(imageGflops));
            line.put("peak_gflops", Math.round(peak));
            line.put("image_share_of_peak", Math.round(imageGflops / peak * 100) / 100.0);
            line.put("text_s", round(textS));
            line.put("short_text_s", round(shortS));
            line.put("load_s", round(loadS));
            line.put("first_image_s", round(firstS));
            line.put("rss_mb", peakRssMb());
            line.put("batch", batch);
            line.put("runs", runs);
            line.put("threads", Parallel.threads());
            line.put("kernels", KernelProvider.kernels().name());
            console.out().println(Json.write(line));
        }
        return 0;
    }

    /** Median wall time of {@code runs} calls, after {@link #WARMUP} and {@link #WARMUP_SECONDS} of unmeasured ones. */
    private static double median(int runs, Supplier<?> work) {
        long warmStart = System.nanoTime();
        for (int i = 0; i < WARMUP || seconds(warmStart) < WARMUP_SECONDS; i++) {
            work.get();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            work.get();
            t[i] = seconds(s);
        }
        Arrays.sort(t);
        return runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Four significant digits: a tiny model's short text, warmed up, takes a few microseconds. */
    private static double round(double s) {
        return new BigDecimal(s).round(new MathContext(4)).doubleValue();
    }

    /** A deterministic photo-sized test card: smooth gradients and a checkerboard. */
    static RgbImage syntheticImage(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (x * 255 / w);
                rgb[o + 1] = (byte) (y * 255 / h);
                rgb[o + 2] = (byte) (((x / 16 + y / 16) & 1) * 200);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is not there. */
    private static long peakRssMb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
