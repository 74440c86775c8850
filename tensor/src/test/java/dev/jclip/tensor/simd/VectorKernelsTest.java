package dev.jclip.tensor.simd;

import dev.jclip.tensor.Float16s;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Precision;
import dev.jclip.tensor.ScalarKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every SIMD kernel against its scalar twin, on odd sizes, with seeded inputs. */
class VectorKernelsTest {
    private static final int[] ODD = {1, 7, 13, 17, 64, 257, 1023};
    private final Kernels simd = new VectorKernels();
    private final Kernels scalar = new ScalarKernels();

    static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    static void assertNear(float[] want, float[] got, double rel, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double tol = rel * Math.max(1, Math.abs(want[i]));
            if (!(Math.abs(want[i] - got[i]) <= tol)) {
                fail(what + ": index " + i + " scalar " + want[i] + " simd " + got[i]);
            }
        }
    }

    /** The same values stored as F32, F16 and BF16 (rounded to the coarser formats first, so all three agree). */
    static Matrix[] matrices(float[] v, int rows, int cols) {
        MemorySegment f16 = MemorySegment.ofArray(new byte[v.length * 2]);
        MemorySegment bf16 = MemorySegment.ofArray(new byte[v.length * 2]);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            f16.setAtIndex(i16, i, Float16s.f32ToF16(v[i]));
            bf16.setAtIndex(i16, i, Float16s.f32ToBf16(v[i]));
        }
        return new Matrix[]{Matrix.of(v, rows, cols), Matrix.wrap(f16, Precision.F16, rows, cols),
                Matrix.wrap(bf16, Precision.BF16, rows, cols)};
    }

    /** {@link #matrices}, each also in the strip layout (the columns in strips of 32, the last padded with zeros). */
    static Matrix[] everyLayout(float[] v, int rows, int cols) {
        Matrix[] rowMajor = matrices(v, rows, cols);
        Matrix[] strips = matrices(Matrix.toStrips(v, rows, cols), 1, Math.toIntExact(Matrix.storedValues(Matrix.Layout.STRIPS, rows, cols)));
        Matrix[] out = new Matrix[rowMajor.length * 2];
        for (int i = 0; i < rowMajor.length; i++) {
            out[2 * i] = rowMajor[i];
            out[2 * i + 1] = Matrix.wrap(strips[i].data(), strips[i].precision(), Matrix.Layout.STRIPS, rows, cols);
        }
        return out;
    }

    @Test
    void linearOnOddSizesEveryPrecisionAndLayout() {
        // Rows 7 and 20 end in a sliver of 7 or 8 rows (the 8-row kernel), 13, 257 and 77 in one of
        // at most 6 (the 6-row kernel); K past 256 spans K blocks; the last: more rows than one
        // packed block of A; 40 × 1100: 35 strips (the last partial) shared out 3 to a piece.
        int[][] shapes = {{1, 1, 1}, {7, 13, 17}, {13, 257, 7}, {6, 64, 32}, {257, 300, 48}, {5, 1023, 33}, {77, 64, 192},
                {20, 300, 40}, {777, 33, 65}, {40, 50, 1100}};
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            float[] x = random(m * 31L + k, 5 + m * k, 1);
            float[] bias = random(n, n, 1);
            Matrix[] ws = everyLayout(random(k * 7L + n, k * n, 1), k, n);
            for (int i = 0; i < ws.length; i++) {
                Matrix w = ws[i];
                for (float[] b : new float[][]{bias, null}) {
                    float[] want = new float[3 + m * n];
                    float[] got = new float[3 + m * n];
                    scalar.linear(x, 5, w, b, want, 3, m);
                    simd.linear(x, 5, w, b, got, 3, m);
                    String what = "linear " + m + "x" + k + "x" + n + " " + w + (b == null ? " no bias" : "");
                    assertNear(want, got, 2e-5 * Math.sqrt(k), what);
                    if (w.layout() == Matrix.Layout.STRIPS) {   // the same panels, so the same sums in the same order
                        float[] rows = new float[3 + m * n];
                        simd.linear(x, 5, ws[i - 1], b, rows, 3, m);
                        assertArrayEquals(rows, got, what + ": strips and row-major differ");
                    }
                }
            }
        }
    }

    @Test
    void matVecOnOddSizesAndEveryPrecision() {
        for (int rows : new int[]{1, 7, 1023, 3000}) {
            for (int cols : ODD) {
                float[] x = random(cols, cols, 1);
                for (Matrix m : matrices(random(rows * 31L + cols, rows * cols, 1), rows, cols)) {
                    float[] want = new float[rows], got = new float[rows];
                    scalar.matVec(m, x, want);
                    simd.matVec(m, x, got);
                    assertNear(want, got, 1e-5 * Math.sqrt(cols), "matVec " + rows + "x" + cols + " " + m.precision());
                }
            }
        }
    }

    @Test
    void nibbleDotsOnOddRowCountsAndEveryBlockCount() {
        for (int rows : new int[]{1, 7, 4097, 9001}) {
            for (int cols : new int[]{32, 64, 96, 768}) {
                byte[] codes = new byte[rows * cols / 2];
                new SplittableRandom(rows * 31L + cols).nextBytes(codes);
                float[] x = random(cols, cols, 1);
                float[] want = new float[rows], got = new float[rows];
                scalar.nibbleDots(MemorySegment.ofArray(codes), rows, cols, x, want);
                simd.nibbleDots(MemorySegment.ofArray(codes), rows, cols, x, got);
                assertNear(want, got, 1e-4 * Math.sqrt(cols), "nibbleDots " + rows + "x" + cols);
            }
        }
    }

    @Test
    void readRowWidensEveryPrecisionExactly() {
        for (int cols : ODD) {
            float[] v = random(cols, 3 * cols, 100);
            v[0] = Float.POSITIVE_INFINITY;
            if (v.length > 2) {
                v[1] = 1e-6f;       // subnormal in F16
                v[2] = -0f;
            }
            for (Matrix w : everyLayout(v, 3, cols)) {
                for (int r = 0; r < 3; r++) {
                    float[] want = new float[cols];
                    float[] got = new float[cols];
                    scalar.readRow(w, r, want, 0);
                    simd.readRow(w, r, got, 0);
                    assertArrayEquals(want, got, w + " row " + r + " of " + cols);
                }
            }
        }
    }

    @Test
    void f16WideningIsExactForAllHalves() {
        float[] all = new float[65536];
        MemorySegment seg = MemorySegment.ofArray(new byte[65536 * 2]);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < 65536; b++) {
            seg.setAtIndex(i16, b, (short) b);
        }
        Matrix m = Matrix.wrap(seg, Precision.F16, 1, 65536);
        simd.readRow(m, 0, all, 0);
        for (int b = 0; b < 65536; b++) {
            float want = Float.float16ToFloat((short) b);
            if (Float.isNaN(want)) {
                assertEquals(true, Float.isNaN(all[b]), "NaN half " + b);
            } else {
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(all[b]), "half bits " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void expIsWithinTwoUlpAndSaturates() {
        int lanes = Widen.L;
        float[] out = new float[lanes];
        float[] noOverflow = new float[lanes];
        for (float x = -90f; x <= 90f; x += 0.0137f) {
            VectorMath.exp(jdk.incubator.vector.FloatVector.broadcast(Widen.F, x)).intoArray(out, 0);
            if (x <= 88.72283905f) {        // softmax's exp, for arguments that cannot overflow
                VectorMath.expNoOverflow(jdk.incubator.vector.FloatVector.broadcast(Widen.F, x)).intoArray(noOverflow, 0);
                assertEquals(out[0], noOverflow[0], "expNoOverflow(" + x + ")");
            }
            float want = (float) Math.exp(x);
            if (x < -87.33654475f) {
                assertEquals(0f, out[0], "exp(" + x + ") underflows to 0");
            } else if (x > 88.72283905f) {
                assertEquals(Float.POSITIVE_INFINITY, out[0], "exp(" + x + ")");
            } else {
                assertEquals(want, out[0], 2 * Math.ulp(want), "exp(" + x + ")");
            }
        }
    }

    @Test
    void layerNormOnOddWidths() {
        for (int d : ODD) {
            int rows = d == 64 ? 77 : 3;    // 77 rows are split over threads
            float[] x = random(d, rows * d + 2, 3);
            float[] g = random(d + 1, d, 1), b = random(d + 2, d, 1);
            float[] want = new float[rows * d], got = new float[rows * d];
            scalar.layerNorm(x, 2, g, b, 1e-5f, want, 0, rows, d);
            simd.layerNorm(x, 2, g, b, 1e-5f, got, 0, rows, d);
            assertNear(want, got, 1e-5, "layerNorm d=" + d);
        }
    }

    @Test
    void activationsOnOddLengths() {
        for (int n : new int[]{1, 7, 13, 257, 1023, 3 * 32768 + 5}) {   // the last: split over threads
            float[] x = random(n, n + 3, 8);
            float[] a = x.clone(), b = x.clone();
            scalar.quickGelu(a, 3, n);
            simd.quickGelu(b, 3, n);
            assertNear(a, b, 1e-6, "quickGelu n=" + n);
            a = x.clone();
            b = x.clone();
            scalar.gelu(a, 3, n);
            simd.gelu(b, 3, n);
            assertNear(a, b, 1e-6, "gelu n=" + n);
            a = x.clone();
            b = x.clone();
            scalar.softmax(a, 3, n);
            simd.softmax(b, 3, n);
            assertNear(a, b, 1e-6, "softmax n=" + n);
        }
    }

    @Test
    void attentionOnOddSizes() {
        int[][] shapes = {{1, 1, 64}, {7, 1, 64}, {13, 2, 64}, {257, 2, 64}, {77, 3, 24}, {20, 2, 40}};
        for (int[] s : shapes) {
            int m = s[0], heads = s[1], dh = s[2], width = heads * dh;
            float[] qkv = random(m * 13L + heads, 4 + m * 3 * width, 2);
            for (boolean causal : new boolean[]{false, true}) {
                float[] want = new float[1 + m * width], got = new float[1 + m * width];
                scalar.attention(qkv, 4, want, 1, m, heads, dh, causal);
                simd.attention(qkv, 4, got, 1, m, heads, dh, causal);
                assertNear(want, got, 2e-5, "attention m=" + m + " heads=" + heads + " dh=" + dh + " causal=" + causal);
            }
        }
    }

    @Test
    void fmaPeakProbesCountFlopsOfBothKernelSets() {
        for (var kernels : List.of(simd, scalar)) {
            double gflops = kernels.fmaPeakGflops(20);
            assertTrue(gflops > 0 && Double.isFinite(gflops), kernels.name() + " peak " + gflops);
        }
    }
}
