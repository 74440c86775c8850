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
 * Linear layers (GEMM with F16 weights) on ViT-L/14's shapes, MxKxN: vision qkv, out, fc1, fc2 at
 * 257 tokens; text fc1 at 77 and 7 tokens; and an odd size. Checked against the scalar kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class LinearBench {
    @Param({"simd", "scalar"})
    String impl;

    @Param({"257x1024x3072", "257x1024x1024", "257x1024x4096", "257x4096x1024", "77x768x3072", "7x768x768", "13x257x1023"})
    String shape;

    private Kernels kernels;
    private float[] x;
    private Matrix w;
    private float[] bias;
    private float[] out;
    private int m;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = Inputs.dims(shape);
        m = d[0];
        kernels = Inputs.kernels(impl);
        x = Inputs.random(1, d[0] * d[1], 1);
        w = Inputs.f16Matrix(2, d[1], d[2]);
        bias = Inputs.random(3, d[2], 0.1);
        out = new float[d[0] * d[2]];
    }

    @Benchmark
    public float[] linear() {
        kernels.linear(x, 0, w, bias, out, 0, m);
        return out;
    }

    @TearDown(Level.Trial)
    public void check() {
        float[] want = new float[out.length];
        KernelProvider.scalar().linear(x, 0, w, bias, want, 0, m);
        Inputs.check(want, out, 1e-4, "linear " + shape + " " + impl);
    }
}
