package dev.jclip.tensor.simd;

import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@code C[M,N] = A[M,K] · W[K,N] + bias}: the matrix product behind every linear layer.
 *
 * <p>Blocking, from the outside in: the N columns are cut into strips of NR = 2 vectors, split over
 * the threads; M is cut into as few blocks of at most MC rows as cover it; for each strip, K is cut
 * into blocks of KC; each (K block, strip) of W is widened once per row block into a contiguous fp32
 * panel [KC][NR] (weights stay 16-bit in memory; a model file stores them in strips, so the panel
 * is one run of it), small enough to stay in L1 while the micro-kernel sweeps the block's rows over
 * it, MR at a time: 2 panel loads, MR broadcasts and 2·MR FMAs per k. Each K block of A is packed
 * first into MR-row slivers, k-major, so the broadcasts read consecutive floats; unpacked, the rows
 * sit a multiple of 4 KB apart and fight over the same L1 sets. For the same reason C accumulates
 * in a per-thread buffer, strip by strip with rows NR floats apart, and is copied out at the end:
 * rows of the real C are N floats apart, and loads after stores 4 KB apart stall on false aliasing.
 */
final class Gemm {
    static final VectorSpecies<Float> F = Widen.F;
    static final int L = Widen.L;
    /**
     * Rows per micro-kernel call: 12 where there are 32 vector registers (AVX-512: 24 accumulators,
     * 2 panel vectors, 1 broadcast), 6 where there are 16 (AVX2). Measured here, on cache-resident
     * data, 12 rows reach 168 GFLOP/s on one core against 157 for 6: the panel and C are read half
     * as often per FMA.
     */
    static final int MR = L >= 16 ? 12 : 6;
    static final int NR = 2 * L;
    static final int KC = 256;
    /**
     * Most rows of A per packed block: MC × KC floats (384 KB) stay in L2 while every strip passes
     * over them. Rows are split into as few blocks as that allows, so one image's 257 rows are one
     * block and each weight panel is widened once per call.
     */
    static final int MC = 384;

    private Gemm() {
    }

    /** Per-thread buffers: the current W panel, the current block of A, and the thread's C strips. */
    private static final class Packs {
        final float[] panel = new float[KC * NR];
        final float[] a = new float[MC * KC];
        float[] c = new float[0];
    }

    private static final ThreadLocal<Packs> PACKS = ThreadLocal.withInitial(Packs::new);

    static void linear(float[] a, int aOff, Matrix w, float[] bias, float[] c, int cOff, int m) {
        int k = w.rows();
        int n = w.cols();
        int strips = (n + NR - 1) / NR;
        // Fewer rows mean less work per strip; below this many strips per thread, threading costs more than it saves.
        int grain = Math.max(1, 64 / Math.max(1, m));
        int blocks = (m + MC - 1) / MC;
        int mc = ((m + blocks - 1) / blocks + MR - 1) / MR * MR;
        Parallel.forRange(strips, grain, (from, to) -> {
            for (int m0 = 0; m0 < m; m0 += mc) {
                rowBlock(a, aOff + m0 * k, w, bias, c, cOff + m0 * n, Math.min(mc, m - m0), from, to);
            }
        });
    }

    /** Rows [0, m) (m ≤ MC) of C for the strips [from, to): the packed A block stays in L2 meanwhile. */
    private static void rowBlock(float[] a, int aOff, Matrix w, float[] bias, float[] c, int cOff, int m, int from, int to) {
        int k = w.rows();
        int n = w.cols();
        int blocks = (m + MR - 1) / MR;
        Packs packs = PACKS.get();
        int stripSize = blocks * MR * NR;
        if (packs.c.length < (to - from) * stripSize) {
            packs.c = new float[(to - from) * stripSize];
        }
        float[] ap = packs.a;
        float[] panel = packs.panel;
        float[] cs = packs.c;    // [strip][row][NR]: C accumulates here, contiguous, then is copied out
        for (int s = from; s < to; s++) {                    // every row of C starts as the bias
            int n0 = s * NR;
            int nw = Math.min(NR, n - n0);
            int strip = (s - from) * stripSize;
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            if (bias != null && nw == NR) {
                b0 = FloatVector.fromArray(F, bias, n0);
                b1 = FloatVector.fromArray(F, bias, n0 + L);
            } else if (bias != null) {                       // the last strip of an N that is not a multiple of NR
                for (int j = 0; j < NR; j++) {
                    cs[strip + j] = j < nw ? bias[n0 + j] : 0f;
                }
                b0 = FloatVector.fromArray(F, cs, strip);
                b1 = FloatVector.fromArray(F, cs, strip + L);
            }
            for (int i = 0, o = strip; i < blocks * MR; i++, o += NR) {
                b0.intoArray(cs, o);
                b1.intoArray(cs, o + L);
            }
        }
        // With 12-row slivers, a last one of at most 6 real rows (77 = 6·12 + 5 for a text) is
        // computed by the 6-row kernel, which reads the first 6 rows of a 12-row packing: 6 rows of
        // padding fewer to multiply.
        int full = MR == 12 && m - (blocks - 1) * MR <= 6 ? blocks - 1 : blocks;
        for (int kb = 0; kb < k; kb += KC) {
            int kc = Math.min(KC, k - kb);
            for (int ib = 0; ib < blocks; ib++) {
                int i = ib * MR;
                packA(a, aOff + i * k + kb, k, Math.min(MR, m - i), kc, ap, ib * MR * kc);
            }
            for (int s = from; s < to; s++) {
                pack(w, kb, kc, s * NR, Math.min(NR, n - s * NR), panel);
                int strip = (s - from) * stripSize;
                for (int ib = 0; ib < full; ib++) {
                    kernel(ap, ib * MR * kc, panel, 0, kc, cs, strip + ib * MR * NR, NR);
                }
                if (full < blocks) {                     // a last sliver of at most 6 rows: half the kernel
                    kernel6(ap, full * MR * kc, panel, 0, kc, cs, strip + full * MR * NR, NR);
                }
            }
        }
        for (int s = from; s < to; s++) {
            int n0 = s * NR;
            int nw = Math.min(NR, n - n0);
            int strip = (s - from) * stripSize;
            if (nw == NR) {
                for (int i = 0, o = strip; i < m; i++, o += NR) {
                    FloatVector.fromArray(F, cs, o).intoArray(c, cOff + i * n + n0);
                    FloatVector.fromArray(F, cs, o + L).intoArray(c, cOff + i * n + n0 + L);
                }
            } else {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(cs, strip + i * NR, c, cOff + i * n + n0, nw);
                }
            }
        }
    }

    /**
     * A[rows, kc] (row stride lda) into the micro-kernel's order: dst[kk·MR + r]. Rows past
     * {@code rows} are zero: computed by the kernel, never stored.
     */
    static void packA(float[] a, int aOff, int lda, int rows, int kc, float[] dst, int dstOff) {
        for (int r = 0; r < MR; r++) {
            if (r < rows) {
                int src = aOff + r * lda;
                for (int kk = 0; kk < kc; kk++) {
                    dst[dstOff + kk * MR + r] = a[src + kk];
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    dst[dstOff + kk * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * panel[kk][j] = W[kb + kk][n0 + j], zero beyond the matrix's last column. In the strip layout
     * with NR = 32 the panel is one contiguous run of the file; otherwise each k is a run of NR.
     */
    private static void pack(Matrix w, int kb, int kc, int n0, int nw, float[] panel) {
        if (w.layout() == Matrix.Layout.STRIPS && NR == Matrix.STRIP) {
            Widen.copy(w, w.index(kb, n0), panel, 0, kc * NR);          // the strips' padding is zero
            return;
        }
        for (int kk = 0; kk < kc; kk++) {
            Widen.copy(w, w.index(kb + kk, n0), panel, kk * NR, nw);
            Arrays.fill(panel, kk * NR + nw, (kk + 1) * NR, 0f);
        }
    }

    /**
     * C[MR, NR] += A[MR, kc] · panel[kc, NR]: A packed by {@link #packA} at {@code aOff}, the panel at
     * {@code panelOff}, C rows {@code ldc} apart. Deliberately branch-free: the Vector API keeps
     * vectors in registers only while no control-flow merge or call sees them; a kernel that chose
     * between "add to C" and "start from the bias" ran four times slower.
     */
    static void kernel(float[] ap, int aOff, float[] panel, int panelOff, int kc, float[] c, int cOff, int ldc) {
        if (MR == 12) {                 // a constant: the JIT keeps one of the two
            kernel12(ap, aOff, panel, panelOff, kc, c, cOff, ldc);
        } else {
            kernel6(ap, aOff, panel, panelOff, kc, c, cOff, ldc);
        }
    }

    /**
     * {@link #kernel} for 6 rows: 12 accumulators. A is read MR floats per k, so it also computes the
     * first 6 rows of a 12-row packing.
     */
    static void kernel6(float[] ap, int aOff, float[] panel, int panelOff, int kc, float[] c, int cOff, int ldc) {
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = FloatVector.fromArray(F, c, r0), c01 = FloatVector.fromArray(F, c, r0 + L);
        FloatVector c10 = FloatVector.fromArray(F, c, r1), c11 = FloatVector.fromArray(F, c, r1 + L);
        FloatVector c20 = FloatVector.fromArray(F, c, r2), c21 = FloatVector.fromArray(F, c, r2 + L);
        FloatVector c30 = FloatVector.fromArray(F, c, r3), c31 = FloatVector.fromArray(F, c, r3 + L);
        FloatVector c40 = FloatVector.fromArray(F, c, r4), c41 = FloatVector.fromArray(F, c, r4 + L);
        FloatVector c50 = FloatVector.fromArray(F, c, r5), c51 = FloatVector.fromArray(F, c, r5 + L);
        for (int kk = 0, p = panelOff, q = aOff; kk < kc; kk++, p += NR, q += MR) {
            FloatVector b0 = FloatVector.fromArray(F, panel, p);
            FloatVector b1 = FloatVector.fromArray(F, panel, p + L);
            FloatVector av = FloatVector.broadcast(F, ap[q]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, ap[q + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, ap[q + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, ap[q + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, ap[q + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, ap[q + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
    }

    /** {@link #kernel} for MR = 12: 24 accumulators, the same steps for twice the rows. */
    private static void kernel12(float[] ap, int aOff, float[] panel, int panelOff, int kc, float[] c, int cOff, int ldc) {
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int r6 = r5 + ldc, r7 = r6 + ldc, r8 = r7 + ldc, r9 = r8 + ldc, r10 = r9 + ldc, r11 = r10 + ldc;
        FloatVector c00 = FloatVector.fromArray(F, c, r0), c01 = FloatVector.fromArray(F, c, r0 + L);
        FloatVector c10 = FloatVector.fromArray(F, c, r1), c11 = FloatVector.fromArray(F, c, r1 + L);
        FloatVector c20 = FloatVector.fromArray(F, c, r2), c21 = FloatVector.fromArray(F, c, r2 + L);
        FloatVector c30 = FloatVector.fromArray(F, c, r3), c31 = FloatVector.fromArray(F, c, r3 + L);
        FloatVector c40 = FloatVector.fromArray(F, c, r4), c41 = FloatVector.fromArray(F, c, r4 + L);
        FloatVector c50 = FloatVector.fromArray(F, c, r5), c51 = FloatVector.fromArray(F, c, r5 + L);
        FloatVector c60 = FloatVector.fromArray(F, c, r6), c61 = FloatVector.fromArray(F, c, r6 + L);
        FloatVector c70 = FloatVector.fromArray(F, c, r7), c71 = FloatVector.fromArray(F, c, r7 + L);
        FloatVector c80 = FloatVector.fromArray(F, c, r8), c81 = FloatVector.fromArray(F, c, r8 + L);
        FloatVector c90 = FloatVector.fromArray(F, c, r9), c91 = FloatVector.fromArray(F, c, r9 + L);
        FloatVector ca0 = FloatVector.fromArray(F, c, r10), ca1 = FloatVector.fromArray(F, c, r10 + L);
        FloatVector cb0 = FloatVector.fromArray(F, c, r11), cb1 = FloatVector.fromArray(F, c, r11 + L);
        for (int kk = 0, p = panelOff, q = aOff; kk < kc; kk++, p += NR, q += 12) {
            FloatVector b0 = FloatVector.fromArray(F, panel, p);
            FloatVector b1 = FloatVector.fromArray(F, panel, p + L);
            FloatVector av = FloatVector.broadcast(F, ap[q]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(F, ap[q + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(F, ap[q + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(F, ap[q + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(F, ap[q + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(F, ap[q + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(F, ap[q + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(F, ap[q + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            av = FloatVector.broadcast(F, ap[q + 8]);
            c80 = av.fma(b0, c80);
            c81 = av.fma(b1, c81);
            av = FloatVector.broadcast(F, ap[q + 9]);
            c90 = av.fma(b0, c90);
            c91 = av.fma(b1, c91);
            av = FloatVector.broadcast(F, ap[q + 10]);
            ca0 = av.fma(b0, ca0);
            ca1 = av.fma(b1, ca1);
            av = FloatVector.broadcast(F, ap[q + 11]);
            cb0 = av.fma(b0, cb0);
            cb1 = av.fma(b1, cb1);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + L);
        c80.intoArray(c, r8);
        c81.intoArray(c, r8 + L);
        c90.intoArray(c, r9);
        c91.intoArray(c, r9 + L);
        ca0.intoArray(c, r10);
        ca1.intoArray(c, r10 + L);
        cb0.intoArray(c, r11);
        cb1.intoArray(c, r11 + L);
    }
}
