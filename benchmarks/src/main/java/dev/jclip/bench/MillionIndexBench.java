package dev.jclip.bench;

import dev.jclip.core.index.ImageIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds an index of 1,000,000 synthetic unit vectors of 768 values (ViT-L/14's width, F16, 1.5 GB)
 * and searches it: prints build time, file size, peak RSS, and the median and p99 latency of a top-10
 * search over 30 queries after 5 warm-ups. Not a timed test: a benchmark, run by hand, e.g.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g \
 *      -cp benchmarks/target/benchmarks.jar dev.jclip.bench.MillionIndexBench [N] [DIR]
 * </pre>
 *
 * {@code -Xmx2g} is the {@code ./clip} launcher's heap: the build streams vectors to disk, so it fits.
 * Each query is a stored vector, which must come back first (the benchmark checks its own results).
 */
public final class MillionIndexBench {
    private static final int DIM = 768;

    private MillionIndexBench() {
    }

    /** Vector i, made from its own seed so that it can be made again for a query. */
    static float[] vector(int i) {
        SplittableRandom r = new SplittableRandom(1_000_003L * i + 7);
        float[] v = new float[DIM];
        for (int c = 0; c < DIM; c++) {
            v[c] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(dir, "million", ".idx");
        List<ImageIndex.Entry> entries = new AbstractList<>() {
            @Override
            public ImageIndex.Entry get(int i) {
                return new ImageIndex.Entry(String.format("photos/%07d.jpg", i), 100_000 + i, 1_700_000_000_000L + i);
            }

            @Override
            public int size() {
                return n;
            }
        };
        long t0 = System.nanoTime();
        ImageIndex.write(file, "bench", "bench", "/photos", DIM, true, entries, MillionIndexBench::vector);
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        long bytes = Files.size(file);

        double[] ms = new double[30];
        try (ImageIndex index = ImageIndex.open(file)) {
            long o0 = System.nanoTime();
            int size = index.size();
            double openMs = (System.nanoTime() - o0) / 1e6;
            for (int q = -5; q < ms.length; q++) {
                int target = (int) ((q + 6) * 32_452_843L % n);
                float[] query = vector(target);
                long s0 = System.nanoTime();
                List<ImageIndex.Hit> hits = index.search(query, 10);
                if (q >= 0) {
                    ms[q] = (System.nanoTime() - s0) / 1e6;
                }
                if (hits.size() != 10 || hits.getFirst().id() != target) {
                    throw new AssertionError("query " + target + " did not find itself first: " + hits.getFirst());
                }
            }
            Arrays.sort(ms);
            System.out.printf("entries %d of %d (F16), file %.2f GB, build %.1f s, open %.1f ms%n", size, DIM, bytes / 1e9, buildSeconds, openMs);
        }
        System.out.printf("search top 10: median %.1f ms, p99 %.1f ms, min %.1f ms (30 queries after 5 warm-ups)%n",
                ms[ms.length / 2], ms[ms.length - 1], ms[0]);
        System.out.printf("peak RSS %d MB (VmHWM; the mapped index counts as it is read), max heap %d MB, %d cores, %s%n",
                peakRssKb() / 1024, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"));
        Files.delete(file);
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
