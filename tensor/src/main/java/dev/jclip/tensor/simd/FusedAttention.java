package dev.jclip.tensor.simd;

import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

/**
 * Multi-head attention, one head per task, one tile of MR query rows at a time: the tile's scores
 * against every key (Q·Kᵀ through {@link Gemm#kernel} over Kᵀ packed in NR-key panels), the
 * softmax's numerators in place, then the tile's output (P·V through a micro-kernel that reads the
 * tile's rows as they are, over V packed in NR-column panels), each output row divided by its
 * softmax denominator. Only an MR × N score tile exists at once, never the N × N matrix.
 */
final class FusedAttention {
    private static final int MR = Gemm.MR;
    private static final int NR = Gemm.NR;

    /** Per-thread buffers, grown as needed: packed Kᵀ, packed V, and the score tile. */
    private static final class Scratch {
        float[] keys = new float[0];
        float[] values = new float[0];
        float[] tile = new float[0];
        float[] packed = new float[0];
        final float[] outTile = new float[MR * NR];
        final float[] sums = new float[MR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FusedAttention() {
    }

    static void attention(float[] qkv, int qkvOff, float[] out, int outOff, int m, int heads, int dh, boolean causal) {
        Parallel.forPieces(heads, 1, (from, to) -> {
            for (int h = from; h < to; h++) {
                head(qkv, qkvOff, out, outOff, m, heads, dh, h, causal);
            }
        });
    }

    private static void head(float[] qkv, int qkvOff, float[] out, int outOff, int m, int heads, int dh, int h, boolean causal) {
        int width = heads * dh;
        int stride = 3 * width;
        int keyStrips = (m + NR - 1) / NR;
        int ldt = keyStrips * NR;             // score tile row length: keys padded to whole panels
        int dhStrips = (dh + NR - 1) / NR;
        Scratch s = SCRATCH.get();
        if (s.keys.length < keyStrips * dh * NR) {
            s.keys = new float[keyStrips * dh * NR];
        }
        if (s.values.length < dhStrips * m * NR) {
            s.values = new float[dhStrips * m * NR];
        }
        if (s.tile.length < MR * ldt) {
            s.tile = new float[MR * ldt];
        }
        if (s.packed.length < MR * dh) {
            s.packed = new float[MR * dh];
        }
        float[] kPanels = s.keys;     // [keyStrips][Dh][NR]: Kᵀ, the B operand of Q·Kᵀ
        float[] vPanels = s.values;   // [dhStrips][N][NR]: V, the B operand of P·V
        float[] tile = s.tile;        // [MR][ldt] scores, then exp(score − row max)
        float[] packed = s.packed;    // the query rows in the micro-kernel's order: Q·Kᵀ's A operand
        int kCol = qkvOff + width + h * dh;
        int vCol = qkvOff + 2 * width + h * dh;
        for (int key = 0; key < keyStrips * NR; key++) {    // each key's row read once, in order
            int dst = (key / NR) * dh * NR + key % NR;
            if (key < m) {
                int src = key * stride + kCol;
                for (int c = 0; c < dh; c++) {
                    kPanels[dst + c * NR] = qkv[src + c];
                }
            } else {
                for (int c = 0; c < dh; c++) {
                    kPanels[dst + c * NR] = 0f;
                }
            }
        }
        for (int strip = 0; strip < dhStrips; strip++) {
            int cols = Math.min(NR, dh - strip * NR);
            for (int key = 0; key < m; key++) {
                int dst = (strip * m + key) * NR;
                System.arraycopy(qkv, key * stride + vCol + strip * NR, vPanels, dst, cols);
                for (int j = cols; j < NR; j++) {
                    vPanels[dst + j] = 0f;
                }
            }
        }
        float scale = (float) (1.0 / Math.sqrt(dh));
        int qCol = qkvOff + h * dh;
        float[] sums = s.sums;
        for (int i0 = 0; i0 < m; i0 += MR) {
            int rows = Math.min(MR, m - i0);
            int keys = causal ? Math.min(m, i0 + rows) : m;   // keys any row of this tile can see
            int strips = (keys + NR - 1) / NR;
            Gemm.packA(qkv, i0 * stride + qCol, stride, rows, dh, packed, 0);
            for (int strip = 0; strip < strips; strip++) {
                Gemm.kernel(packed, 0, kPanels, strip * dh * NR, dh, Gemm.ZERO_ROW, 0, 0, tile, strip * NR, ldt);
            }
            for (int r = 0; r < rows; r++) {
                int visible = causal ? i0 + r + 1 : m;
                sums[r] = expScaled(tile, r * ldt, visible, scale);
                Arrays.fill(tile, r * ldt + visible, r * ldt + keys, 0f);   // masked keys weigh nothing in P·V
            }
            // P·V straight from the tile's rows (6 at a time), the softmax's division applied to the
            // Dh outputs of a row rather than to its N probabilities.
            float[] outTile = s.outTile;
            for (int strip = 0; strip < dhStrips; strip++) {
                int cols = Math.min(NR, dh - strip * NR);
                for (int r0 = 0; r0 < rows; r0 += 6) {
                    kernelRows6(tile, r0 * ldt, ldt, vPanels, strip * m * NR, keys, outTile, r0 * NR);
                }
                for (int r = 0; r < rows; r++) {
                    float inv = 1f / sums[r];
                    int o = outOff + (i0 + r) * width + h * dh + strip * NR;
                    for (int j = 0; j < cols; j++) {
                        out[o + j] = outTile[r * NR + j] * inv;
                    }
                }
            }
        }
    }

    /**
     * x[off, off + n) ← exp(scale · x − max(scale · x)), the numerators of softmax(scale · x);
     * returns their sum, the denominator.
     */
    static float expScaled(float[] x, int off, int n, float scale) {
        int L = Widen.L;
        FloatVector maxV = FloatVector.broadcast(Widen.F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) {
            maxV = maxV.max(FloatVector.fromArray(Widen.F, x, off + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float shift = max * scale;
        FloatVector sumV = FloatVector.zero(Widen.F);
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(Widen.F, x, off + i).mul(scale).sub(shift));
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = VectorMath.sum(sumV);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] * scale - shift);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * out[6, NR] = A[6, kc] · panel[kc, NR], A's rows read where they are, {@code lda} apart: the
     * score tile's rows, which {@link Gemm#kernel} would need transposed into its packed order
     * first. 12 accumulators: enough to cover the FMA latency with 16 or 32 registers.
     */
    private static void kernelRows6(float[] a, int aOff, int lda, float[] panel, int panelOff, int kc, float[] out, int outOff) {
        int L = Widen.L;
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        FloatVector c00 = FloatVector.zero(Widen.F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kk = 0, p = panelOff; kk < kc; kk++, p += NR) {
            FloatVector b0 = FloatVector.fromArray(Widen.F, panel, p);
            FloatVector b1 = FloatVector.fromArray(Widen.F, panel, p + L);
            FloatVector av = FloatVector.broadcast(Widen.F, a[a0 + kk]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(Widen.F, a[a1 + kk]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(Widen.F, a[a2 + kk]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(Widen.F, a[a3 + kk]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(Widen.F, a[a4 + kk]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(Widen.F, a[a5 + kk]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(out, outOff);
        c01.intoArray(out, outOff + L);
        c10.intoArray(out, outOff + NR);
        c11.intoArray(out, outOff + NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
        c40.intoArray(out, outOff + 4 * NR);
        c41.intoArray(out, outOff + 4 * NR + L);
        c50.intoArray(out, outOff + 5 * NR);
        c51.intoArray(out, outOff + 5 * NR + L);
    }
}
