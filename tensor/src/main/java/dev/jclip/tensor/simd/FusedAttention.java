package dev.jclip.tensor.simd;

import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

/**
 * Multi-head attention, one head per task, one tile of MR query rows at a time: the tile's scores
 * against every key (Q·Kᵀ through {@link Gemm#kernel} over Kᵀ packed in NR-key panels), scaled
 * softmax in place, then the tile's output (P·V through the same micro-kernel over V packed in
 * NR-column panels). Only an MR × N score tile exists at once, never the N × N matrix.
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
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FusedAttention() {
    }

    static void attention(float[] qkv, int qkvOff, float[] out, int outOff, int m, int heads, int dh, boolean causal) {
        Parallel.forRange(heads, 1, (from, to) -> {
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
        if (s.packed.length < MR * Math.max(ldt, dh)) {   // holds MR query rows of Dh, then MR score rows
            s.packed = new float[MR * Math.max(ldt, dh)];
        }
        float[] kPanels = s.keys;     // [keyStrips][Dh][NR]: Kᵀ, the B operand of Q·Kᵀ
        float[] vPanels = s.values;   // [dhStrips][N][NR]: V, the B operand of P·V
        float[] tile = s.tile;        // [MR][ldt] scores, then probabilities
        float[] packed = s.packed;    // the A operand in the micro-kernel's order: Q rows, then P rows
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
        for (int i0 = 0; i0 < m; i0 += MR) {
            int rows = Math.min(MR, m - i0);
            int keys = causal ? Math.min(m, i0 + rows) : m;   // keys any row of this tile can see
            int strips = (keys + NR - 1) / NR;
            Gemm.packA(qkv, i0 * stride + qCol, stride, rows, dh, packed, 0);
            Arrays.fill(tile, 0, MR * ldt, 0f);
            for (int strip = 0; strip < strips; strip++) {
                Gemm.kernel(packed, 0, kPanels, strip * dh * NR, dh, tile, strip * NR, ldt);
            }
            for (int r = 0; r < rows; r++) {
                int visible = causal ? i0 + r + 1 : m;
                softmaxScaled(tile, r * ldt, visible, scale);
                for (int j = visible; j < strips * NR; j++) {
                    tile[r * ldt + j] = 0f;   // masked and padded keys weigh nothing in P·V
                }
            }
            Gemm.packA(tile, 0, ldt, rows, keys, packed, 0);
            float[] outTile = s.outTile;
            for (int strip = 0; strip < dhStrips; strip++) {
                int cols = Math.min(NR, dh - strip * NR);
                Arrays.fill(outTile, 0f);
                Gemm.kernel(packed, 0, vPanels, strip * m * NR, keys, outTile, 0, NR);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(outTile, r * NR, out, outOff + (i0 + r) * width + h * dh + strip * NR, cols);
                }
            }
        }
    }

    /** softmax(scale · x) over x[off, off + n). */
    static void softmaxScaled(float[] x, int off, int n, float scale) {
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
        float inv = 1f / sum;
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(Widen.F, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }
}
