package dev.jclip.tensor.simd;

import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * Multi-head attention, one head per task, one block of NR queries at a time, computed transposed so
 * that both products go through {@link Gemm}'s packed micro-kernels and the softmax runs down
 * columns:
 * <ol>
 * <li>Sᵀ = K·Qᵀ: K packed once per head in MR-key slivers (the A operand), the block's queries
 *     as one [Dh][NR] panel (the B operand); Sᵀ is [keys][NR], a key per row, a query per column.</li>
 * <li>softmax down each column: a query's max, exponentials and sum are lane-wise operations over
 *     the key rows, with no reduction across lanes (a row-wise softmax pays a max and a sum across
 *     lanes per query, and a scalar tail).</li>
 * <li>Oᵀ = Vᵀ·Pᵀ: V packed once per head in MR-column slivers (the A operand), Pᵀ as it is (the B
 *     operand: a key's NR probabilities are one panel row), then Oᵀ is transposed into the output
 *     rows, each divided by its query's softmax denominator.</li>
 * </ol>
 * Only an N × NR score block exists at once, never the N × N matrix.
 *
 * <p>{@link #head} itself holds no vector code. Sᵀ calls only the full MR-row kernel (a last key
 * sliver's padding rows are computed into the padded buffers and never read): with the 8-row kernel
 * for a last sliver of 7–8 keys, a text after images waited for that kernel's compilation. Oᵀ's
 * slivers run over the head's dimensions, fixed per model, and go through {@link Gemm#sliver}: for
 * Dh = 64 five of 12 rows and one of 4, which the 6-row kernel computes, as it does the linear
 * layers' last 5 rows of an image. So the first image's first attention runs kernels the linear
 * layers have already had compiled and waits on the JIT for the softmax alone. Against the earlier row-wise version (a tile of MR query rows,
 * softmax along rows, P·V by a kernel reading the tile's rows), alternated in one JVM: 257 tokens ×
 * 16 heads 0.88–0.95 of the time, 77 causal tokens × 12 heads 1.06–1.14 (a causal block computes
 * all NR queries against the keys its last query sees); at AVX2 width 0.94–0.96 and 1.09–1.19.
 */
final class FusedAttention {
    private static final int MR = Gemm.MR;
    private static final int NR = Gemm.NR;
    private static final int L = Widen.L;

    /** Per-thread buffers, grown as needed. */
    private static final class Scratch {
        float[] keys = new float[0];
        float[] values = new float[0];
        float[] queries = new float[0];
        float[] scores = new float[0];
        float[] outT = new float[0];
        final float[] inverse = new float[NR];
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
        int keySlivers = (m + MR - 1) / MR;
        int dhSlivers = (dh + MR - 1) / MR;
        Scratch s = SCRATCH.get();
        if (s.keys.length < keySlivers * MR * dh) {
            s.keys = new float[keySlivers * MR * dh];
        }
        if (s.values.length < dhSlivers * MR * m) {
            s.values = new float[dhSlivers * MR * m];
        }
        if (s.queries.length < dh * NR) {
            s.queries = new float[dh * NR];
        }
        if (s.scores.length < keySlivers * MR * NR) {
            s.scores = new float[keySlivers * MR * NR];
        }
        if (s.outT.length < dhSlivers * MR * NR) {
            s.outT = new float[dhSlivers * MR * NR];
        }
        float[] keys = s.keys;          // [keySlivers][Dh][MR]: K, the A operand of Sᵀ = K·Qᵀ
        float[] values = s.values;      // [dhSlivers][N][MR]: Vᵀ, the A operand of Oᵀ = Vᵀ·Pᵀ
        float[] queries = s.queries;    // [Dh][NR]: the block's Qᵀ, the B operand of Sᵀ
        float[] scores = s.scores;      // [keys][NR]: Sᵀ, then the softmax numerators Pᵀ, the B operand of Oᵀ
        float[] outT = s.outT;          // [dhSlivers·MR][NR]: Oᵀ before the division by the denominators; rows past Dh unread
        float[] inverse = s.inverse;    // [NR]: 1 / each query's softmax denominator
        int qCol = qkvOff + h * dh;
        int kCol = qkvOff + width + h * dh;
        int vCol = qkvOff + 2 * width + h * dh;
        for (int ks = 0; ks < keySlivers; ks++) {
            Gemm.packA(qkv, ks * MR * stride + kCol, stride, Math.min(MR, m - ks * MR), dh, keys, ks * MR * dh);
        }
        packValues(qkv, vCol, stride, m, dh, values);
        float scale = (float) (1.0 / Math.sqrt(dh));
        for (int q0 = 0; q0 < m; q0 += NR) {
            int qs = Math.min(NR, m - q0);
            int visible = causal ? Math.min(m, q0 + qs) : m;    // keys any query of the block sees
            packQueries(qkv, q0 * stride + qCol, stride, qs, dh, queries);
            for (int ks = 0; ks * MR < visible; ks++) {
                Gemm.kernel(keys, ks * MR * dh, queries, 0, dh, Gemm.ZERO_ROW, 0, 0, scores, ks * MR * NR, NR);
            }
            if (causal) {
                maskFutureKeys(scores, q0, visible);
            }
            softmaxColumns(scores, visible, scale, inverse);
            for (int ds = 0; ds < dhSlivers; ds++) {
                // Dh = 64 leaves a last sliver of 4 rows, which the 6-row kernel computes
                Gemm.sliver(Math.min(MR, dh - ds * MR), values, ds * MR * m, scores, visible, Gemm.ZERO_ROW, 0, 0, outT, ds * MR * NR, NR);
            }
            for (int j = 0; j < qs; j++) {
                int o = outOff + (q0 + j) * width + h * dh;
                float inv = inverse[j];
                for (int c = 0; c < dh; c++) {
                    out[o + c] = outT[c * NR + j] * inv;
                }
            }
        }
    }

    /** values[(sliver·N + key)·MR + r] = V[key][sliver·MR + r], zero past Dh. */
    private static void packValues(float[] qkv, int vCol, int stride, int m, int dh, float[] values) {
        for (int d0 = 0, dst = 0; d0 < dh; d0 += MR) {
            int cols = Math.min(MR, dh - d0);
            for (int key = 0; key < m; key++, dst += MR) {
                System.arraycopy(qkv, key * stride + vCol + d0, values, dst, cols);
                Arrays.fill(values, dst + cols, dst + MR, 0f);
            }
        }
    }

    /**
     * queries[c·NR + j] = Q[j][c] for the block's {@code qs} queries, zero for the columns past them.
     * Two loops, not a choice per element: with {@code j < qs ? ... : 0f}, the compiled method was
     * thrown away (an uncommon trap) when a partial block first came, and ran slower until C2
     * compiled it again.
     */
    private static void packQueries(float[] qkv, int qOff, int stride, int qs, int dh, float[] queries) {
        for (int j = 0; j < qs; j++) {
            for (int c = 0, src = qOff + j * stride; c < dh; c++) {
                queries[c * NR + j] = qkv[src + c];
            }
        }
        for (int j = qs; j < NR; j++) {
            for (int c = 0; c < dh; c++) {
                queries[c * NR + j] = 0f;
            }
        }
    }

    /** Query q0 + j sees keys 0..q0 + j: a later key's score becomes −∞, whose exponential is 0. */
    private static void maskFutureKeys(float[] scores, int q0, int visible) {
        for (int key = q0 + 1; key < visible; key++) {
            for (int j = 0, hidden = Math.min(NR, key - q0); j < hidden; j++) {
                scores[key * NR + j] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Each column j of scores[0, keys)[NR] ← exp(scale · s − max(scale · s)), the numerators of its
     * softmax, and inverse[j] ← 1 / their sum. Every step is lane-wise, so the sums come out the
     * same in every JIT tier.
     */
    private static void softmaxColumns(float[] scores, int keys, float scale, float[] inverse) {
        for (int half = 0; half < NR; half += L) {      // NR is two vectors: one at a time
            softmaxColumns(scores, half, keys, scale, inverse);
        }
    }

    /**
     * {@link #softmaxColumns} for the L columns from {@code col}. One exp per loop: with two, C2 gave
     * up inlining the second, and every call boxed its vectors (a third slower here).
     */
    private static void softmaxColumns(float[] scores, int col, int keys, float scale, float[] inverse) {
        // Two running maxima over alternate keys, so that a key does not wait for the previous key's max
        // (Java's max on floats is several instructions). A max is exact: the grouping cannot change
        // it, and neither can the last key counted twice, which spares a branch.
        FloatVector max0 = FloatVector.broadcast(Widen.F, Float.NEGATIVE_INFINITY);
        FloatVector max1 = FloatVector.fromArray(Widen.F, scores, col + (keys - 1) * NR);
        int key = 0;
        int p = col;
        for (; key + 1 < keys; key += 2, p += 2 * NR) {
            max0 = max0.max(FloatVector.fromArray(Widen.F, scores, p));
            max1 = max1.max(FloatVector.fromArray(Widen.F, scores, p + NR));
        }
        FloatVector shift = max0.max(max1).mul(scale);
        FloatVector sum = FloatVector.zero(Widen.F);
        for (key = 0, p = col; key < keys; key++, p += NR) {
            // scale·s − scale·max ≤ 0, as the multiplication keeps the order
            FloatVector e = VectorMath.expNoOverflow(FloatVector.fromArray(Widen.F, scores, p).mul(scale).sub(shift));
            e.intoArray(scores, p);
            sum = sum.add(e);
        }
        FloatVector.broadcast(Widen.F, 1f).div(sum).intoArray(inverse, col);
    }
}
