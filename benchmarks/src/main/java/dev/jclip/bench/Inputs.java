package dev.jclip.bench;

import dev.jclip.tensor.Float16s;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Precision;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Seeded inputs and result checks shared by the kernel benchmarks. */
final class Inputs {
    private Inputs() {
    }

    static Kernels kernels(String impl) {
        return switch (impl) {
            case "scalar" -> KernelProvider.scalar();
            case "simd" -> {
                Kernels k = KernelProvider.kernels();
                if (k.name().equals("scalar")) {
                    throw new IllegalStateException("SIMD kernels unavailable: run with --add-modules jdk.incubator.vector");
                }
                yield k;
            }
            default -> throw new IllegalArgumentException(impl);
        };
    }

    static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /**
     * A random weight matrix [rows, cols] stored as F16 off-heap in the strip layout, like a mapped
     * ViT-L/14 file's linear weights.
     */
    static Matrix f16Matrix(long seed, int rows, int cols) {
        float[] v = Matrix.toStrips(random(seed, rows * cols, 0.035), rows, cols);
        MemorySegment seg = Arena.ofAuto().allocate(v.length * 2L, 64);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            seg.setAtIndex(i16, i, Float16s.f32ToF16(v[i]));
        }
        return Matrix.wrap(seg, Precision.F16, Matrix.Layout.STRIPS, rows, cols);
    }

    /** Fails unless every |want − got| ≤ rel · max(1, |want|): a benchmark that computes garbage is not a result. */
    static void check(float[] want, float[] got, double rel, String what) {
        if (want.length != got.length) {
            throw new AssertionError(what + ": length " + got.length + " != " + want.length);
        }
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= rel * Math.max(1, Math.abs(want[i])))) {
                throw new AssertionError(what + ": index " + i + " expected " + want[i] + " got " + got[i]);
            }
        }
    }

    static int[] dims(String shape) {
        String[] p = shape.split("x");
        int[] d = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = Integer.parseInt(p[i]);
        }
        return d;
    }
}
