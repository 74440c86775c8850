package dev.jclip.bench;

import dev.jclip.core.index.ImageIndex;
import dev.jclip.lucene.AnnIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Lucene's HNSW graph ({@link AnnIndex}) against exact search on N clustered unit vectors of 768
 * (ViT-L/14's width): 2,000 topics of 25 sub-topics each, every vector a sub-topic's centre plus
 * noise, so that a vector's nearest neighbours are its sub-topic's (cosine about 0.8) and then its
 * topic's, as photos of one scene and one subject are. Not a timed test: a benchmark, run by hand.
 *
 * <pre>
 * J="java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g -cp benchmarks/target/benchmarks.jar"
 * $J dev.jclip.bench.AnnRecallBench build /tmp/ann.idx 1000000    # flat index, then its graph: times, sizes, peak RSS
 * $J dev.jclip.bench.AnnRecallBench search /tmp/ann.idx 1000000   # recall@10 and latency of the three searches
 * </pre>
 *
 * The search phase runs 1,000 fresh queries (drawn like the vectors, never stored) after 50 warm-ups,
 * and prints recall@10 against the exact scan and the median and p99 latency of: the exact scan, the
 * flat index's default search (4-bit codes, then exact rescoring) and the graph with 50 to 400
 * candidates. It fails unless the graph's recall@10, with the candidates {@code ./clip search}
 * uses, is at least 0.95 (the benchmark checks its own results).
 */
public final class AnnRecallBench {
    private static final int DIM = 768, TOPICS = 2_000, SUBTOPICS = 25, QUERIES = 1_000, WARMUP = 50;
    private static final double SUBTOPIC_NOISE = 0.8, VECTOR_NOISE = 0.5;
    /** Graph candidates scored exactly per query: what search uses for k = 10, and its neighbours. */
    private static final int[] CANDIDATES = {50, 100, 200, 400};
    private final float[][] subtopics = new float[TOPICS * SUBTOPICS][];

    private AnnRecallBench() {
        SplittableRandom r = new SplittableRandom(20261127);
        for (int t = 0; t < TOPICS; t++) {
            float[] topic = noisy(new float[DIM], 1.0, r);
            for (int s = 0; s < SUBTOPICS; s++) {
                subtopics[t * SUBTOPICS + s] = noisy(topic, SUBTOPIC_NOISE, r);
            }
        }
    }

    /** {@code center} plus Gaussian noise of norm about {@code noise}, normalised. */
    private static float[] noisy(float[] center, double noise, SplittableRandom r) {
        float[] v = new float[DIM];
        double scale = noise / Math.sqrt(DIM);
        double norm = 0;
        for (int c = 0; c < DIM; c++) {
            v[c] = (float) (center[c] + scale * gaussian(r));
            norm += v[c] * v[c];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int c = 0; c < DIM; c++) {
            v[c] *= inv;
        }
        return v;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), w = r.nextDouble();   // Box-Muller: seeded and the same on every JVM
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
    }

    /** Vector {@code i}, from its own seed so that it can be made again; {@code salt} 1 draws queries instead. */
    float[] vector(long i, int salt) {
        SplittableRandom r = new SplittableRandom(1_000_003L * i + 7 + salt * 0x9E3779B97F4A7C15L);
        return noisy(subtopics[r.nextInt(subtopics.length)], VECTOR_NOISE, r);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !(args[0].equals("build") || args[0].equals("search"))) {
            System.err.println("usage: AnnRecallBench build|search FILE N");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        AnnRecallBench bench = new AnnRecallBench();
        if (args[0].equals("build")) {
            bench.build(file, n);
        } else {
            bench.search(file, n);
        }
        System.out.printf("peak RSS %d MB (VmHWM), max heap %d MB, %d cores, %s, %s%n", PeakRss.kilobytes() / 1024,
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"), System.getProperty("os.arch"));
    }

    private void build(Path file, int n) throws IOException {
        List<ImageIndex.Entry> entries = SyntheticEntries.of(n);
        long t0 = System.nanoTime();
        ImageIndex.write(file, "bench", "bench", "/photos", DIM, true, entries, i -> vector(i, 0));
        System.out.printf("flat index: %d vectors of %d (F16) written in %.1f s, %.2f GB%n", n, DIM,
                (System.nanoTime() - t0) / 1e9, Files.size(file) / 1e9);
        try (ImageIndex index = ImageIndex.open(file)) {
            long t1 = System.nanoTime();
            AnnIndex.build(index, file, (done, total) -> {
                if (done % 100_000 == 0) {
                    System.out.printf("  graph: %d of %d added, %.0f s%n", done, total, (System.nanoTime() - t1) / 1e9);
                }
            });
            System.out.printf("graph (HNSW M=16, beam 100, int8): built in %.1f s, %.2f GB on disk%n",
                    (System.nanoTime() - t1) / 1e9, folderBytes(AnnIndex.besideIndex(file)) / 1e9);
        }
    }

    private void search(Path file, int n) throws IOException {
        try (ImageIndex index = ImageIndex.open(file); AnnIndex ann = AnnIndex.open(file)) {
            if (index.size() != n || AnnIndex.state(file, index) != AnnIndex.State.CURRENT) {
                throw new AssertionError(file + ": " + index.size() + " entries and a graph " + AnnIndex.state(file, index)
                        + ", not " + n + " and CURRENT; build it first");
            }
            double[] exactMs = new double[QUERIES], flatMs = new double[QUERIES];
            double[][] annMs = new double[CANDIDATES.length][QUERIES];
            long flatFound = 0;
            long[] annFound = new long[CANDIDATES.length];
            for (int q = -WARMUP; q < QUERIES; q++) {
                float[] query = vector(q + WARMUP, 1);
                long s0 = System.nanoTime();
                List<ImageIndex.Hit> exact = index.searchExact(query, 10);
                long s1 = System.nanoTime();
                List<ImageIndex.Hit> flat = index.search(query, 10);
                long s2 = System.nanoTime();
                Set<Integer> truth = new HashSet<>();
                exact.forEach(h -> truth.add(h.id()));
                for (int c = 0; c < CANDIDATES.length; c++) {
                    long a0 = System.nanoTime();
                    List<ImageIndex.Hit> graph = ann.search(index, query, 10, CANDIDATES[c]);
                    long a1 = System.nanoTime();
                    if (q >= 0) {
                        annMs[c][q] = (a1 - a0) / 1e6;
                        annFound[c] += graph.stream().filter(h -> truth.contains(h.id())).count();
                    }
                }
                if (q < 0) {
                    continue;
                }
                exactMs[q] = (s1 - s0) / 1e6;
                flatMs[q] = (s2 - s1) / 1e6;
                flatFound += flat.stream().filter(h -> truth.contains(h.id())).count();
            }
            System.out.printf("%d vectors, %d queries after %d warm-ups, top 10:%n", n, QUERIES, WARMUP);
            System.out.printf("  exact scan                   recall@10 1.000  median %6.2f ms  p99 %6.2f ms%n", median(exactMs), p99(exactMs));
            System.out.printf("  flat (4-bit, then exact)     recall@10 %.3f  median %6.2f ms  p99 %6.2f ms%n",
                    flatFound / (10.0 * QUERIES), median(flatMs), p99(flatMs));
            double used = -1;
            for (int c = 0; c < CANDIDATES.length; c++) {
                double recall = annFound[c] / (10.0 * QUERIES);
                boolean isDefault = CANDIDATES[c] == AnnIndex.candidatesFor(10);
                System.out.printf("  HNSW, %3d candidates exact  recall@10 %.3f  median %6.2f ms  p99 %6.2f ms%s%n", CANDIDATES[c], recall,
                        median(annMs[c]), p99(annMs[c]), isDefault ? "   <- what search uses for k = 10" : "");
                if (isDefault) {
                    used = recall;
                }
            }
            if (used < 0.95) {
                throw new AssertionError("the graph's recall@10 with the candidates search uses is " + used + ", under 0.95");
            }
        }
    }

    private static double median(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double p99(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(s.length * 0.99) - 1];
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
