package dev.jclip.bench;

import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * LayerNorm, quick_gelu, exact GELU, softmax and F16 widening, rows x width: a ViT-L/14 vision
 * activation (257x1024, MLP 257x4096) and an odd size. Each checked against the scalar kernel.
 * The in-place kernels work on a copy refreshed before every call, so each call sees the same input.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class ElementwiseBench {
    @Param({"simd", "scalar"})
    String impl;

    @Param({"257x1024", "257x4096", "13x1023"})
    String shape;

    private Kernels kernels;
    private float[] input, work, gamma, beta, out;
    private Matrix f16;
    private int rows, d;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = Inputs.dims(shape);
        rows = s[0];
        d = s[1];
        kernels = Inputs.kernels(impl);
        input = Inputs.random(5, rows * d, 4);
        work = new float[rows * d];
        gamma = Inputs.random(6, d, 1);
        beta = Inputs.random(7, d, 1);
        out = new float[rows * d];
        f16 = Inputs.f16Matrix(8, rows, d);
    }

    @Benchmark
    public float[] layerNorm() {
        kernels.layerNorm(input, 0, gamma, beta, 1e-5f, out, 0, rows, d);
        return out;
    }

    @Benchmark
    public float[] quickGelu() {
        System.arraycopy(input, 0, work, 0, work.length);
        kernels.quickGelu(work, 0, work.length);
        return work;
    }

    @Benchmark
    public float[] gelu() {
        System.arraycopy(input, 0, work, 0, work.length);
        kernels.gelu(work, 0, work.length);
        return work;
    }

    @Benchmark
    public float[] softmaxRows() {
        System.arraycopy(input, 0, work, 0, work.length);
        for (int r = 0; r < rows; r++) {
            kernels.softmax(work, r * d, d);
        }
        return work;
    }

    @Benchmark
    public float[] widenF16() {
        for (int r = 0; r < rows; r++) {
            kernels.readRow(f16, r, out, r * d);
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void check() {
        Kernels spec = KernelProvider.scalar();
        float[] want = new float[rows * d];
        float[] got = new float[rows * d];
        spec.layerNorm(input, 0, gamma, beta, 1e-5f, want, 0, rows, d);
        kernels.layerNorm(input, 0, gamma, beta, 1e-5f, got, 0, rows, d);
        Inputs.check(want, got, 1e-5, "layerNorm " + shape);
        want = input.clone();
        got = input.clone();
        spec.quickGelu(want, 0, want.length);
        kernels.quickGelu(got, 0, got.length);
        Inputs.check(want, got, 1e-5, "quickGelu " + shape);
        want = input.clone();
        got = input.clone();
        spec.gelu(want, 0, want.length);
        kernels.gelu(got, 0, got.length);
        Inputs.check(want, got, 1e-5, "gelu " + shape);
        want = input.clone();
        got = input.clone();
        for (int r = 0; r < rows; r++) {
            spec.softmax(want, r * d, d);
            kernels.softmax(got, r * d, d);
        }
        Inputs.check(want, got, 1e-5, "softmax " + shape);
        for (int r = 0; r < rows; r++) {
            spec.readRow(f16, r, want, r * d);
            kernels.readRow(f16, r, got, r * d);
        }
        Inputs.check(want, got, 0, "widenF16 " + shape);
    }
}
