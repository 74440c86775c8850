package dev.jclip.tensor.simd;

import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[M,N] = A[M,K] · W[K,N] + bias}: the matrix product behind every linear layer.
 *
 * <p>Blocking, from the outside in: the N columns are cut into strips of NR = 2 vectors, split over
 * the threads; for each strip, K is cut into blocks of KC; each (K block, strip) of W is packed once
 * into a contiguous fp32 panel [KC][NR] (widening F16/BF16 here, so weights stay 16-bit in memory),
 * small enough to stay in L1 while the micro-kernel sweeps all M rows over it, MR = 6 rows at a time:
 * 12 accumulator vectors, 2 panel loads and 6 broadcasts per k.
 */
final class Gemm {
    static final VectorSpecies<Float> F = Widen.F;
    static final int L = Widen.L;
    static final int MR = 6;
    static final int NR = 2 * L;
    static final int KC = 256;

    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[KC * NR]);

    private Gemm() {
    }

    static void linear(float[] a, int aOff, Matrix w, float[] bias, float[] c, int cOff, int m) {
        int k = w.rows();
        int n = w.cols();
        int strips = (n + NR - 1) / NR;
        // Fewer rows mean less work per strip; below this many strips per thread, threading costs more than it saves.
        int grain = Math.max(1, 64 / Math.max(1, m));
        Parallel.forRange(strips, grain, (from, to) -> {
            float[] panel = PANEL.get();
            for (int s = from; s < to; s++) {
                int n0 = s * NR;
                int nw = Math.min(NR, n - n0);
                for (int kb = 0; kb < k; kb += KC) {
                    int kc = Math.min(KC, k - kb);
                    pack(w, kb, kc, n0, nw, panel);
                    for (int i = 0; i < m; i += MR) {
                        kernel(a, aOff + i * k + kb, k, Math.min(MR, m - i), panel, 0, kc,
                                c, cOff + i * n + n0, n, nw, kb == 0 ? bias : null, n0, kb > 0);
                    }
                }
            }
        });
    }

    /** panel[kk][j] = W[kb + kk][n0 + j], zero beyond the matrix's last column. */
    private static void pack(Matrix w, int kb, int kc, int n0, int nw, float[] panel) {
        int n = w.cols();
        for (int kk = 0; kk < kc; kk++) {
            long src = (long) (kb + kk) * n + n0;
            int dst = kk * NR;
            if (nw == NR) {
                Widen.load(w, src).intoArray(panel, dst);
                Widen.load(w, src + L).intoArray(panel, dst + L);
            } else {
                for (int j = 0; j < NR; j++) {
                    panel[dst + j] = j < nw ? Widen.scalar(w, src + j) : 0f;
                }
            }
        }
    }

    /**
     * C[rows, nw] (+)= A[rows, kc] · panel[kc, NR] (the panel from {@code panelOff}), rows ≤ MR. A short row block repeats its last row
     * (computed, never stored). With {@code accumulate} C is added to; otherwise {@code bias} (may be
     * null) from column {@code biasOff} starts the sum.
     */
    static void kernel(float[] a, int aOff, int lda, int rows, float[] panel, int panelOff, int kc,
                       float[] c, int cOff, int ldc, int nw, float[] bias, int biasOff, boolean accumulate) {
        int a0 = aOff;
        int a1 = rows > 1 ? a0 + lda : a0;
        int a2 = rows > 2 ? a1 + lda : a1;
        int a3 = rows > 3 ? a2 + lda : a2;
        int a4 = rows > 4 ? a3 + lda : a3;
        int a5 = rows > 5 ? a4 + lda : a4;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int kk = 0, p = panelOff; kk < kc; kk++, p += NR) {
            FloatVector b0 = FloatVector.fromArray(F, panel, p);
            FloatVector b1 = FloatVector.fromArray(F, panel, p + L);
            FloatVector av = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        FloatVector bias0 = z, bias1 = z;
        if (!accumulate && bias != null) {
            bias0 = load(bias, biasOff, 0, nw);
            bias1 = load(bias, biasOff, L, nw);
        }
        store(c, cOff, nw, c00, c01, accumulate, bias0, bias1);
        if (rows > 1) {
            store(c, cOff + ldc, nw, c10, c11, accumulate, bias0, bias1);
        }
        if (rows > 2) {
            store(c, cOff + 2 * ldc, nw, c20, c21, accumulate, bias0, bias1);
        }
        if (rows > 3) {
            store(c, cOff + 3 * ldc, nw, c30, c31, accumulate, bias0, bias1);
        }
        if (rows > 4) {
            store(c, cOff + 4 * ldc, nw, c40, c41, accumulate, bias0, bias1);
        }
        if (rows > 5) {
            store(c, cOff + 5 * ldc, nw, c50, c51, accumulate, bias0, bias1);
        }
    }

    private static FloatVector load(float[] v, int off, int col, int nw) {
        if (col + L <= nw) {
            return FloatVector.fromArray(F, v, off + col);
        }
        VectorMask<Float> m = F.indexInRange(col, nw);
        return FloatVector.fromArray(F, v, off + col, m);
    }

    private static void store(float[] c, int off, int nw, FloatVector v0, FloatVector v1,
                              boolean accumulate, FloatVector bias0, FloatVector bias1) {
        if (nw == NR) {
            FloatVector s0 = accumulate ? FloatVector.fromArray(F, c, off).add(v0) : v0.add(bias0);
            FloatVector s1 = accumulate ? FloatVector.fromArray(F, c, off + L).add(v1) : v1.add(bias1);
            s0.intoArray(c, off);
            s1.intoArray(c, off + L);
            return;
        }
        storePartial(c, off, 0, nw, v0, accumulate, bias0);
        storePartial(c, off, L, nw, v1, accumulate, bias1);
    }

    private static void storePartial(float[] c, int off, int col, int nw, FloatVector v, boolean accumulate, FloatVector bias) {
        if (col >= nw) {
            return;
        }
        VectorMask<Float> m = F.indexInRange(col, nw);
        FloatVector s = accumulate ? FloatVector.fromArray(F, c, off + col, m).add(v) : v.add(bias);
        s.intoArray(c, off + col, m);
    }
}
