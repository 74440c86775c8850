package dev.jclip.tensor.simd;

import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@code C[M,N] = A[M,K] · W[K,N] + bias}: the matrix product behind every linear layer.
 *
 * <p>Blocking, from the outside in: M is cut into as few blocks of at most MC rows as cover it;
 * each block of A is packed once, by all threads, into MR-row slivers, k-major, so the broadcasts
 * read consecutive floats (unpacked, the rows sit a multiple of 4 KB apart and fight over the same
 * L1 sets). The N columns are cut into strips of NR = 2 vectors, and the strips into pieces that the
 * threads claim as they become free ({@link Parallel#forPieces}). For each strip of a piece, K is
 * cut into blocks of KC; each (K block, strip) of W is widened once per row block into a contiguous
 * fp32 panel [KC][NR] (weights stay 16-bit in memory; a model file stores them in strips, so the
 * panel is one run of it), small enough to stay in L1 while the micro-kernel sweeps the block's rows
 * over it, MR at a time: 2 panel loads, MR broadcasts and 2·MR FMAs per k. C accumulates between K
 * blocks in a per-thread buffer, strip by strip with rows NR floats apart: rows of the real C are N
 * floats apart, and loads after stores 4 KB apart stall on false aliasing. The first K block starts
 * from the bias and the last one stores into C, so C is written once and never read.
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
     * Most rows of A per packed block: the MC × KC floats (384 KB) of one K block stay in L2 while
     * a piece's strips pass over them. Rows are split into as few blocks as that allows, so one
     * image's 257 rows are one block and each weight panel is widened once per call.
     */
    static final int MC = 384;

    private Gemm() {
    }

    /** Per-thread buffers: the current W panel and the thread's C strips; A packed by the call's caller. */
    private static final class Packs {
        final float[] panel = new float[KC * NR];
        float[] a = new float[0];
        float[] c = new float[0];
    }

    /** One zero row of NR: {@code in} for a product that starts from nothing. */
    static final float[] ZERO_ROW = new float[NR];

    private static final ThreadLocal<Packs> PACKS = ThreadLocal.withInitial(Packs::new);

    /**
     * Pieces of strips per thread that {@link Parallel#forPieces} shares out: more pieces even out
     * threads that run at different speeds for a while, fewer read the packed A (from L2, or L3 when
     * K is 4096) fewer times. Against one fixed half per thread, alternated pass by pass in one JVM
     * on a 2-vCPU virtual machine: 8 per thread took 0.86–0.96 of the time for an image and 0.86–0.99
     * for a 77-token text, 4 per thread 0.91, 2 per thread 0.96–1.0.
     */
    static final int PIECES_PER_THREAD = 8;

    static void linear(float[] a, int aOff, Matrix w, float[] bias, float[] c, int cOff, int m) {
        int k = w.rows();
        int n = w.cols();
        int strips = (n + NR - 1) / NR;
        float[] biasPanel = biasPanel(bias, n, strips);    // every row of C starts as this
        // Fewer rows mean less work per strip; below this many strips per piece, handing it over costs more than it saves.
        int grain = Math.max(1, 64 / Math.max(1, m));
        int pieces = Math.max(1, Math.min(Parallel.threads() * PIECES_PER_THREAD, strips / grain));
        int piece = (strips + pieces - 1) / pieces;
        int blocks = (m + MC - 1) / MC;
        int mc = ((m + blocks - 1) / blocks + MR - 1) / MR * MR;
        Packs own = PACKS.get();
        if (own.a.length < mc * k) {
            own.a = new float[mc * k];
        }
        float[] ap = own.a;     // [sliver][K][MR]: this row block of A, packed once for every thread
        int kBlocks = (k + KC - 1) / KC;              // A is packed in (sliver, K block) pieces: a short text is one sliver
        for (int m0 = 0; m0 < m; m0 += mc) {
            int rows = Math.min(mc, m - m0);
            int blockOff = aOff + m0 * k;
            Parallel.forPieces((rows + MR - 1) / MR * kBlocks, 1, (from, to) -> {
                for (int p = from; p < to; p++) {
                    int ib = p / kBlocks;
                    int kb = p % kBlocks * KC;
                    packA(a, blockOff + ib * MR * k + kb, k, Math.min(MR, rows - ib * MR), Math.min(KC, k - kb), ap, ib * MR * k + kb * MR);
                }
            });
            int cBlock = cOff + m0 * n;
            Parallel.forPieces(strips, piece, (from, to) -> rowBlock(ap, w, biasPanel, c, cBlock, rows, from, to));
        }
    }

    /**
     * The bias over whole strips, zero past N: the bias itself when N fills its strips (every layer
     * of CLIP), else a zero-padded copy; zeros when there is none.
     */
    private static float[] biasPanel(float[] bias, int n, int strips) {
        if (bias != null && n == strips * NR) {
            return bias;
        }
        float[] padded = new float[strips * NR];
        if (bias != null) {
            System.arraycopy(bias, 0, padded, 0, n);
        }
        return padded;
    }

    /**
     * Rows [0, m) (m ≤ MC) of C for the strips [from, to), from A packed by {@link #packA} (each
     * sliver's K whole). The first K block's accumulators start from the bias (read with row stride
     * 0), the middle ones go through the thread's strip buffer, and the last one stores into C
     * itself, except for what C cannot take whole (a sliver with padding rows, a strip with padding
     * columns), which is copied out of the buffer. So C is written once and never read, and there is
     * no pass over it for the bias or for a copy.
     */
    private static void rowBlock(float[] ap, Matrix w, float[] biasPanel, float[] c, int cOff, int m, int from, int to) {
        int k = w.rows();
        int n = w.cols();
        int blocks = (m + MR - 1) / MR;
        int whole = m / MR;                                  // slivers without padding rows
        Packs packs = PACKS.get();
        int stripSize = blocks * MR * NR;
        if (packs.c.length < (to - from) * stripSize) {
            packs.c = new float[(to - from) * stripSize];
        }
        float[] panel = packs.panel;
        float[] cs = packs.c;    // [strip][row][NR]: C between K blocks, contiguous
        int lastRows = m - (blocks - 1) * MR;               // real rows of the last sliver
        for (int kb = 0; kb < k; kb += KC) {
            int kc = Math.min(KC, k - kb);
            boolean first = kb == 0;
            boolean last = kb + kc == k;
            for (int s = from; s < to; s++) {
                pack(w, kb, kc, s * NR, Math.min(NR, n - s * NR), panel);
                int strip = (s - from) * stripSize;
                boolean wide = (s + 1) * NR <= n;
                for (int ib = 0; ib < blocks; ib++) {
                    float[] in = first ? biasPanel : cs;
                    int inOff = first ? s * NR : strip + ib * MR * NR;
                    int inLd = first ? 0 : NR;
                    boolean direct = last && wide && ib < whole;
                    float[] out = direct ? c : cs;
                    int outOff = direct ? cOff + ib * MR * n + s * NR : strip + ib * MR * NR;
                    int outLd = direct ? n : NR;
                    sliver(ib == blocks - 1 ? lastRows : MR, ap, ib * MR * k + kb * MR, panel, kc, in, inOff, inLd, out, outOff, outLd);
                }
                if (last) {                                  // what the kernels could not store into C
                    int nw = Math.min(NR, n - s * NR);
                    for (int i = wide ? whole * MR : 0; i < m; i++) {
                        System.arraycopy(cs, strip + i * NR, c, cOff + i * n + s * NR, nw);
                    }
                }
            }
        }
    }

    /**
     * {@link #kernel} for a sliver with {@code rows} real rows: with 12-row slivers, a last one of
     * at most 6 (77 = 6·12 + 5 for a text) or 8 (a 7-token text) goes through the 6- or 8-row
     * kernel, which reads the first rows of the 12-row packing and multiplies less padding.
     */
    static void sliver(int rows, float[] ap, int aOff, float[] panel, int kc,
                       float[] in, int inOff, int inLd, float[] out, int outOff, int outLd) {
        if (MR == 12 && rows <= 6) {
            kernel6(ap, aOff, panel, 0, kc, in, inOff, inLd, out, outOff, outLd);
        } else if (MR == 12 && rows <= 8) {
            kernel8(ap, aOff, panel, 0, kc, in, inOff, inLd, out, outOff, outLd);
        } else {
            kernel(ap, aOff, panel, 0, kc, in, inOff, inLd, out, outOff, outLd);
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
     * out[MR, NR] = in[MR, NR] + A[MR, kc] · panel[kc, NR]: A packed by {@link #packA} at
     * {@code aOff}, the panel at {@code panelOff}; the rows of {@code in} are {@code inLd} apart (0
     * reads one row, a bias or zeros, for every row), those of {@code out} {@code outLd} apart, and
     * {@code in} may be {@code out}. Deliberately branch-free: the Vector API keeps vectors in
     * registers only while no control-flow merge or call sees them; a kernel that chose between "add
     * to C" and "start from the bias" ran four times slower, where choosing the source array costs
     * nothing.
     */
    static void kernel(float[] ap, int aOff, float[] panel, int panelOff, int kc,
                       float[] in, int inOff, int inLd, float[] out, int outOff, int outLd) {
        if (MR == 12) {                 // a constant: the JIT keeps one of the two
            kernel12(ap, aOff, panel, panelOff, kc, in, inOff, inLd, out, outOff, outLd);
        } else {
            kernel6(ap, aOff, panel, panelOff, kc, in, inOff, inLd, out, outOff, outLd);
        }
    }

    /**
     * {@link #kernel} for 6 rows: 12 accumulators. A is read MR floats per k, so it also computes the
     * first 6 rows of a 12-row packing.
     */
    static void kernel6(float[] ap, int aOff, float[] panel, int panelOff, int kc,
                        float[] in, int inOff, int inLd, float[] out, int outOff, int outLd) {
        int r0 = inOff, r1 = r0 + inLd, r2 = r1 + inLd, r3 = r2 + inLd, r4 = r3 + inLd, r5 = r4 + inLd;
        FloatVector c00 = FloatVector.fromArray(F, in, r0), c01 = FloatVector.fromArray(F, in, r0 + L);
        FloatVector c10 = FloatVector.fromArray(F, in, r1), c11 = FloatVector.fromArray(F, in, r1 + L);
        FloatVector c20 = FloatVector.fromArray(F, in, r2), c21 = FloatVector.fromArray(F, in, r2 + L);
        FloatVector c30 = FloatVector.fromArray(F, in, r3), c31 = FloatVector.fromArray(F, in, r3 + L);
        FloatVector c40 = FloatVector.fromArray(F, in, r4), c41 = FloatVector.fromArray(F, in, r4 + L);
        FloatVector c50 = FloatVector.fromArray(F, in, r5), c51 = FloatVector.fromArray(F, in, r5 + L);
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
        r0 = outOff;                    // the same rows, now where they go
        r1 = r0 + outLd;
        r2 = r1 + outLd;
        r3 = r2 + outLd;
        r4 = r3 + outLd;
        r5 = r4 + outLd;
        c00.intoArray(out, r0);
        c01.intoArray(out, r0 + L);
        c10.intoArray(out, r1);
        c11.intoArray(out, r1 + L);
        c20.intoArray(out, r2);
        c21.intoArray(out, r2 + L);
        c30.intoArray(out, r3);
        c31.intoArray(out, r3 + L);
        c40.intoArray(out, r4);
        c41.intoArray(out, r4 + L);
        c50.intoArray(out, r5);
        c51.intoArray(out, r5 + L);
    }

    /**
     * {@link #kernel} for 8 rows of a 12-row packing: a sliver of 7 or 8 real rows, such as a short
     * text's 7 tokens, costs two thirds of the 12-row kernel's FMAs.
     */
    static void kernel8(float[] ap, int aOff, float[] panel, int panelOff, int kc,
                        float[] in, int inOff, int inLd, float[] out, int outOff, int outLd) {
        int r0 = inOff, r1 = r0 + inLd, r2 = r1 + inLd, r3 = r2 + inLd, r4 = r3 + inLd, r5 = r4 + inLd;
        int r6 = r5 + inLd, r7 = r6 + inLd;
        FloatVector c00 = FloatVector.fromArray(F, in, r0), c01 = FloatVector.fromArray(F, in, r0 + L);
        FloatVector c10 = FloatVector.fromArray(F, in, r1), c11 = FloatVector.fromArray(F, in, r1 + L);
        FloatVector c20 = FloatVector.fromArray(F, in, r2), c21 = FloatVector.fromArray(F, in, r2 + L);
        FloatVector c30 = FloatVector.fromArray(F, in, r3), c31 = FloatVector.fromArray(F, in, r3 + L);
        FloatVector c40 = FloatVector.fromArray(F, in, r4), c41 = FloatVector.fromArray(F, in, r4 + L);
        FloatVector c50 = FloatVector.fromArray(F, in, r5), c51 = FloatVector.fromArray(F, in, r5 + L);
        FloatVector c60 = FloatVector.fromArray(F, in, r6), c61 = FloatVector.fromArray(F, in, r6 + L);
        FloatVector c70 = FloatVector.fromArray(F, in, r7), c71 = FloatVector.fromArray(F, in, r7 + L);
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
            av = FloatVector.broadcast(F, ap[q + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(F, ap[q + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        r0 = outOff;                    // the same rows, now where they go
        r1 = r0 + outLd;
        r2 = r1 + outLd;
        r3 = r2 + outLd;
        r4 = r3 + outLd;
        r5 = r4 + outLd;
        r6 = r5 + outLd;
        r7 = r6 + outLd;
        c00.intoArray(out, r0);
        c01.intoArray(out, r0 + L);
        c10.intoArray(out, r1);
        c11.intoArray(out, r1 + L);
        c20.intoArray(out, r2);
        c21.intoArray(out, r2 + L);
        c30.intoArray(out, r3);
        c31.intoArray(out, r3 + L);
        c40.intoArray(out, r4);
        c41.intoArray(out, r4 + L);
        c50.intoArray(out, r5);
        c51.intoArray(out, r5 + L);
        c60.intoArray(out, r6);
        c61.intoArray(out, r6 + L);
        c70.intoArray(out, r7);
        c71.intoArray(out, r7 + L);
    }

    /** {@link #kernel} for MR = 12: 24 accumulators, the same steps for twice the rows. */
    private static void kernel12(float[] ap, int aOff, float[] panel, int panelOff, int kc,
                        float[] in, int inOff, int inLd, float[] out, int outOff, int outLd) {
        int r0 = inOff, r1 = r0 + inLd, r2 = r1 + inLd, r3 = r2 + inLd, r4 = r3 + inLd, r5 = r4 + inLd;
        int r6 = r5 + inLd, r7 = r6 + inLd, r8 = r7 + inLd, r9 = r8 + inLd, r10 = r9 + inLd, r11 = r10 + inLd;
        FloatVector c00 = FloatVector.fromArray(F, in, r0), c01 = FloatVector.fromArray(F, in, r0 + L);
        FloatVector c10 = FloatVector.fromArray(F, in, r1), c11 = FloatVector.fromArray(F, in, r1 + L);
        FloatVector c20 = FloatVector.fromArray(F, in, r2), c21 = FloatVector.fromArray(F, in, r2 + L);
        FloatVector c30 = FloatVector.fromArray(F, in, r3), c31 = FloatVector.fromArray(F, in, r3 + L);
        FloatVector c40 = FloatVector.fromArray(F, in, r4), c41 = FloatVector.fromArray(F, in, r4 + L);
        FloatVector c50 = FloatVector.fromArray(F, in, r5), c51 = FloatVector.fromArray(F, in, r5 + L);
        FloatVector c60 = FloatVector.fromArray(F, in, r6), c61 = FloatVector.fromArray(F, in, r6 + L);
        FloatVector c70 = FloatVector.fromArray(F, in, r7), c71 = FloatVector.fromArray(F, in, r7 + L);
        FloatVector c80 = FloatVector.fromArray(F, in, r8), c81 = FloatVector.fromArray(F, in, r8 + L);
        FloatVector c90 = FloatVector.fromArray(F, in, r9), c91 = FloatVector.fromArray(F, in, r9 + L);
        FloatVector ca0 = FloatVector.fromArray(F, in, r10), ca1 = FloatVector.fromArray(F, in, r10 + L);
        FloatVector cb0 = FloatVector.fromArray(F, in, r11), cb1 = FloatVector.fromArray(F, in, r11 + L);
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
        r0 = outOff;                    // the same rows, now where they go
        r1 = r0 + outLd;
        r2 = r1 + outLd;
        r3 = r2 + outLd;
        r4 = r3 + outLd;
        r5 = r4 + outLd;
        r6 = r5 + outLd;
        r7 = r6 + outLd;
        r8 = r7 + outLd;
        r9 = r8 + outLd;
        r10 = r9 + outLd;
        r11 = r10 + outLd;
        c00.intoArray(out, r0);
        c01.intoArray(out, r0 + L);
        c10.intoArray(out, r1);
        c11.intoArray(out, r1 + L);
        c20.intoArray(out, r2);
        c21.intoArray(out, r2 + L);
        c30.intoArray(out, r3);
        c31.intoArray(out, r3 + L);
        c40.intoArray(out, r4);
        c41.intoArray(out, r4 + L);
        c50.intoArray(out, r5);
        c51.intoArray(out, r5 + L);
        c60.intoArray(out, r6);
        c61.intoArray(out, r6 + L);
        c70.intoArray(out, r7);
        c71.intoArray(out, r7 + L);
        c80.intoArray(out, r8);
        c81.intoArray(out, r8 + L);
        c90.intoArray(out, r9);
        c91.intoArray(out, r9 + L);
        ca0.intoArray(out, r10);
        ca1.intoArray(out, r10 + L);
        cb0.intoArray(out, r11);
        cb1.intoArray(out, r11 + L);
    }
}
