package bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jclip.core.ClipModel;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Parallel;

import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * jclip against ONNX Runtime on the same model in one JVM, measured alternately so both see the same
 * machine: an image (batch 1), a 77-token text and "a photo of a cat" (7 tokens), each the median of
 * R timed calls after at least 3 warm-up calls per side and 4 s of them, timed in alternating blocks
 * of 3 calls with a 200 ms pause before each block. ONNX Runtime runs the fp32 ONNX export
 * (export_onnx.py) with {@code intra_op_num_threads} = jclip's kernel threads; jclip runs its
 * converted file (F16 by default). Both get the same pixel tensor and token ids, and their embeddings
 * are compared before anything is timed.
 *
 * <pre>./run ONNX_DIR MODEL.safetensors [RUNS]
 * BENCH_JAVA_OPTS=-Dort.spinning=false ./run ONNX_DIR MODEL.safetensors [RUNS]</pre>
 */
public final class OnnxRuntimeComparison {
    /**
     * Warm-up per workload: at least WARMUP calls per side and WARMUP_SECONDS in all. jclip's JIT
     * was still replacing the kernels a 7-token text uses over its first ~10 calls.
     */
    private static final int WARMUP = 3;
    private static final double WARMUP_SECONDS = 4.0;
    private static final int BLOCK = 3;

    public static void main(String[] args) throws OrtException {
        Path onnx = Path.of(args[0]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        int threads = Parallel.threads();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // By default ONNX Runtime's pool threads spin a while after each call, as they do out of the
        // box. The calls are timed in blocks with a pause between them, yet in one process that
        // spinning may still take cores from jclip's calls: -Dort.spinning=false turns it off
        // (session.intra_op.allow_spinning = 0), so both settings can be measured.
        boolean spinning = Boolean.parseBoolean(System.getProperty("ort.spinning", "true"));
        if (!spinning) {
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        try (ClipModel clip = ClipModel.load(Path.of(args[1]));
             OrtSession vision = env.createSession(onnx.resolve("vision.onnx").toString(), options);
             OrtSession text = env.createSession(onnx.resolve("text.onnx").toString(), options)) {
            int s = clip.config().vision().imageSize();
            float[] pixels = new float[3 * s * s];
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            int[] longIds = clip.tokenize("word ".repeat(100));
            int[] shortIds = clip.tokenize("a photo of a cat");

            Side image = new Side("image, batch 1",
                    () -> clip.encodePixels(pixels),
                    () -> run(env, vision, "pixel_values", FloatBuffer.wrap(pixels), new long[]{1, 3, s, s}));
            Side longText = new Side(longIds.length + "-token text",
                    () -> clip.encodeTokens(longIds),
                    () -> run(env, text, "input_ids", LongBuffer.wrap(longs(longIds)), new long[]{1, longIds.length}));
            Side shortText = new Side("\"a photo of a cat\"",
                    () -> clip.encodeTokens(shortIds),
                    () -> run(env, text, "input_ids", LongBuffer.wrap(longs(shortIds)), new long[]{1, shortIds.length}));

            System.out.printf(Locale.ROOT, "jclip %s kernels, %d threads; ONNX Runtime %s, %d intra-op threads, fp32, spinning %s%n",
                    KernelProvider.kernels().name(), threads, env.getVersion(), threads, spinning ? "on" : "off");
            for (Side side : new Side[]{image, longText, shortText}) {
                side.check();
            }
            for (Side side : new Side[]{image, longText, shortText}) {
                side.measure(runs);
            }
        }
    }

    private interface Call {
        float[] run() throws OrtException;
    }

    /** One workload on both engines. */
    private record Side(String what, Call jclip, Call ort) {
        void check() throws OrtException {
            float[] a = jclip.run();
            float[] b = ort.run();
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.abs(b[i]));
            }
            if (a.length != b.length || diff > 1e-3 * Math.max(1, scale)) {
                throw new IllegalStateException(what + ": jclip and ONNX Runtime disagree (max |diff| " + diff
                        + ", largest value " + scale + "): not the same model");
            }
            System.out.printf(Locale.ROOT, "%-20s same embeddings: max |jclip - ONNX Runtime| %.2e (values up to %.2f)%n", what, diff, scale);
        }

        /** Warm-up, then blocks of BLOCK jclip calls and BLOCK ONNX Runtime calls, alternately, R calls each. */
        void measure(int runs) throws OrtException {
            long warmStart = System.nanoTime();
            for (int i = 0; i < WARMUP || (System.nanoTime() - warmStart) / 1e9 < WARMUP_SECONDS; i++) {
                jclip.run();
                ort.run();
            }
            double[] j = new double[runs];
            double[] o = new double[runs];
            for (int i = 0; i < runs; i += BLOCK) {
                int n = Math.min(BLOCK, runs - i);
                block(jclip, j, i, n);
                block(ort, o, i, n);
            }
            double jm = median(j);
            double om = median(o);
            System.out.printf(Locale.ROOT, "%-20s jclip %.4f s  ONNX Runtime %.4f s  jclip/ORT %.2f  (medians of %d; jclip %.4f-%.4f, ORT %.4f-%.4f)%n",
                    what, jm, om, jm / om, runs, min(j), max(j), min(o), max(o));
        }
    }

    /** {@code n} timed calls into {@code times[from..)}, after a pause that lets the other engine's threads go idle. */
    private static void block(Call call, double[] times, int from, int n) throws OrtException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        for (int i = from; i < from + n; i++) {
            long t0 = System.nanoTime();
            call.run();
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
    }

    private static float[] run(OrtEnvironment env, OrtSession session, String input, Buffer data, long[] shape) throws OrtException {
        OnnxTensor tensor = data instanceof FloatBuffer f ? OnnxTensor.createTensor(env, f, shape)
                : OnnxTensor.createTensor(env, (LongBuffer) data, shape);
        try (tensor; OrtSession.Result result = session.run(Map.of(input, tensor))) {
            float[][] out = (float[][]) result.get(0).getValue();
            return out[0];
        }
    }

    private static long[] longs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] t) {
        return Arrays.stream(t).min().orElseThrow();
    }

    private static double max(double[] t) {
        return Arrays.stream(t).max().orElseThrow();
    }
}
