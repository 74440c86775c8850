package dev.jclip.bench;

import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;
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
 * Multi-head attention, tokens x heads x head width: one ViT-L/14 vision layer (257x16x64), the text
 * layer on a full and a short caption (causal), and an odd size. Checked against the scalar kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class AttentionBench {
    @Param({"simd", "scalar"})
    String impl;

    @Param({"257x16x64", "77x12x64c", "7x12x64c", "13x3x40"})
    String shape;

    private Kernels kernels;
    private float[] qkv;
    private float[] out;
    private int m, heads, dh;
    private boolean causal;

    @Setup(Level.Trial)
    public void setup() {
        causal = shape.endsWith("c");
        int[] d = Inputs.dims(shape.replace("c", ""));
        m = d[0];
        heads = d[1];
        dh = d[2];
        kernels = Inputs.kernels(impl);
        qkv = Inputs.random(4, m * 3 * heads * dh, 2);
        out = new float[m * heads * dh];
    }

    @Benchmark
    public float[] attention() {
        kernels.attention(qkv, 0, out, 0, m, heads, dh, causal);
        return out;
    }

    @TearDown(Level.Trial)
    public void check() {
        float[] want = new float[out.length];
        KernelProvider.scalar().attention(qkv, 0, want, 0, m, heads, dh, causal);
        Inputs.check(want, out, 1e-4, "attention " + shape + " " + impl);
    }
}
