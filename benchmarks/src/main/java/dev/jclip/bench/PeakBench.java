package dev.jclip.bench;

import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The machine's fp32 FMA peak on all kernel threads, as the kernels' own probe measures it
 * ({@link Kernels#fmaPeakGflops}: 12 register-resident FMA chains per thread): the ceiling the
 * other benchmarks' GFLOP/s are shares of. Each invocation measures for 1 s (after the probe's own
 * 0.3 s warm-up, so JMH's time per op is not the figure); at the end of the trial it prints the
 * median GFLOP/s of the measured iterations, the figure to read.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar PeakBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class PeakBench {
    private Kernels kernels;

    @Setup(Level.Trial)
    public void setup() {
        kernels = KernelProvider.kernels();
        if (!kernels.name().startsWith("simd")) {
            throw new IllegalStateException("PeakBench measures the SIMD kernels; the JVM chose " + kernels.name());
        }
    }

    private final List<Double> measured = new ArrayList<>();

    @Benchmark
    public double fmaPeak() {
        double gflops = kernels.fmaPeakGflops(1000);
        if (!(gflops > 0)) {
            throw new IllegalStateException("the FMA probe measured " + gflops + " GFLOP/s");
        }
        measured.add(gflops);
        return gflops;
    }

    /** The median of the measured iterations (the warm-up iterations' figures are dropped). */
    @TearDown(Level.Trial)
    public void report() {
        List<Double> last = new ArrayList<>(measured.subList(Math.max(0, measured.size() - 5), measured.size()));
        Collections.sort(last);
        System.out.printf(Locale.ROOT, "%nFMA peak, %s, %d threads: median %.0f GFLOP/s of %s%n", kernels.name(),
                Parallel.threads(), last.get(last.size() / 2), last);
    }
}
