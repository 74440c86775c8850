package dev.jclip.tensor;

/**
 * The harness both FMA peak probes share: a round of register-resident FMA chains, run on every
 * kernel thread until the time is up, after an untimed warm-up that lets the JIT compile it.
 */
public final class FmaProbe {
    /** One round of FMAs; its result keeps the JIT from dropping them. */
    @FunctionalInterface
    public interface Round {
        float run(float seed);
    }

    private FmaProbe() {
    }

    /** GFLOP/s of all kernel threads together running {@code round} ({@code flopsPerRound} each) for about {@code millis} ms. */
    public static double gflops(int millis, double flopsPerRound, Round round) {
        long warm = System.nanoTime() + 300_000_000L;
        float w = 0;
        while (System.nanoTime() < warm) {
            w += round.run(w * 1e-9f);
        }
        int threads = Parallel.threads();
        long[] rounds = new long[threads];
        float[] sink = new float[threads];
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long start = System.nanoTime();
        Parallel.forRange(threads, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                long r = 0;
                float s = 0;
                do {
                    s += round.run(1 + r * 1e-9f);
                    r++;
                } while (System.nanoTime() < deadline);
                rounds[t] = r;
                sink[t] = s;
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (long r : rounds) {
            total += r;
        }
        if (Float.isNaN(sink[0] + w)) {
            throw new IllegalStateException("the FMA probe computed NaN");   // keeps the work observable
        }
        return total * flopsPerRound / seconds / 1e9;
    }
}
