package dev.jclip.bench;

import dev.jclip.core.index.ImageIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds an index of 1,000,000 synthetic unit vectors of 768 values (ViT-L/14's width, F16) and, in a
 * second JVM, searches it: the build prints its time, file size and peak RSS; the search its open
 * time, the median and p99 latency of a top-10 search over 50 queries after 10 warm-ups, and its peak
 * RSS. Not a timed test: a benchmark, run by hand:
 *
 * <pre>
 * J="java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g -cp benchmarks/target/benchmarks.jar"
 * $J dev.jclip.bench.MillionIndexBench build /tmp/million.idx 1000000
 * $J dev.jclip.bench.MillionIndexBench search /tmp/million.idx 1000000
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
        if (args.length != 3 || !(args[0].equals("build") || args[0].equals("search"))) {
            System.err.println("usage: MillionIndexBench build|search FILE N");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        if (args[0].equals("build")) {
            build(file, n);
        } else {
            search(file, n);
        }
        System.out.printf("peak RSS %d MB (VmHWM; mapped index pages count as they are read), max heap %d MB, %d cores, %s%n",
                PeakRss.kilobytes() / 1024, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"));
    }

    private static void build(Path file, int n) throws IOException {
        List<ImageIndex.Entry> entries = SyntheticEntries.of(n);
        long t0 = System.nanoTime();
        ImageIndex.write(file, "bench", "bench", "/photos", DIM, true, entries, MillionIndexBench::vector);
        System.out.printf("built %d entries of %d (F16) in %.1f s, file %.2f GB%n", n, DIM, (System.nanoTime() - t0) / 1e9,
                Files.size(file) / 1e9);
    }

    private static void search(Path file, int n) {
        double[] ms = new double[50];
        long o0 = System.nanoTime();
        try (ImageIndex index = ImageIndex.open(file)) {
            double openMs = (System.nanoTime() - o0) / 1e6;
            if (index.size() != n) {
                throw new AssertionError(file + " holds " + index.size() + " entries, not " + n);
            }
            for (int q = -10; q < ms.length; q++) {
                int target = (int) ((q + 11) * 32_452_843L % n);
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
            System.out.printf("opened %d entries in %.1f ms; search top 10: median %.1f ms, p99 %.1f ms, min %.1f ms (%d queries after 10 warm-ups)%n",
                    index.size(), openMs, ms[ms.length / 2], ms[ms.length - 1], ms[0], ms.length);
        }
    }
}
