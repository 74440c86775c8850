package dev.jclip.bench;

import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The machine's fp32 FMA peak on all kernel threads, as the kernels' own probe measures it
 * ({@link Kernels#fmaPeakGflops}: 12 register-resident FMA chains per thread): the ceiling the
 * other benchmarks' GFLOP/s are shares of. Each invocation measures for 1 s; the score to read is
 * the secondary result {@code gflops}.
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

    /** The GFLOP/s of the last invocation, reported by JMH beside the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Rate {
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setup() {
        kernels = KernelProvider.kernels();
        if (!kernels.name().startsWith("simd")) {
            throw new IllegalStateException("PeakBench measures the SIMD kernels; the JVM chose " + kernels.name());
        }
    }

    @Benchmark
    public double fmaPeak(Rate rate) {
        rate.gflops = kernels.fmaPeakGflops(1000);
        if (!(rate.gflops > 0)) {
            throw new IllegalStateException("the FMA probe measured " + rate.gflops + " GFLOP/s");
        }
        return rate.gflops;
    }
}
