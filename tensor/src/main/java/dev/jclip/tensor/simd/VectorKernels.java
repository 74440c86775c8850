package dev.jclip.tensor.simd;

import dev.jclip.tensor.Erf;
import dev.jclip.tensor.Kernels;
import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * The kernels on the Vector API ({@code jdk.incubator.vector}), the only package that imports it.
 * Each method computes what its {@link dev.jclip.tensor.ScalarKernels} twin does, to rounding.
 */
public final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> F = Widen.F;
    private static final int L = Widen.L;

    @Override
    public String name() {
        return "simd-" + F.vectorBitSize();
    }

    @Override
    public double fmaPeakGflops(int millis) {
        return FmaPeak.gflops(millis);
    }

    @Override
    public void linear(float[] x, int xOff, Matrix w, float[] bias, float[] out, int outOff, int m) {
        Gemm.linear(x, xOff, w, bias, out, outOff, m);
    }

    @Override
    public void layerNorm(float[] x, int xOff, float[] gamma, float[] beta, float eps,
                          float[] out, int outOff, int rows, int d) {
        Parallel.forPieces(rows, ROWS_PER_CHUNK, (from, to) -> layerNormRows(x, xOff, gamma, beta, eps, out, outOff, from, to, d));
    }

    /**
     * Elementwise work runs on every kernel thread once it is large enough to pay for the handoff
     * (an image's 257 × 4096 activations are; a short text's rows are not): each element's result
     * is the same whichever thread computes it.
     */
    private static final int ROWS_PER_CHUNK = 32;
    private static final int ELEMENTS_PER_CHUNK = 1 << 15;

    private static void layerNormRows(float[] x, int xOff, float[] gamma, float[] beta, float eps,
                                      float[] out, int outOff, int fromRow, int toRow, int d) {
        for (int r = fromRow; r < toRow; r++) {
            int in = xOff + r * d;
            int o = outOff + r * d;
            FloatVector acc = FloatVector.zero(F);
            int c = 0;
            for (; c + L <= d; c += L) {
                acc = acc.add(FloatVector.fromArray(F, x, in + c));
            }
            float sum = VectorMath.sum(acc);
            for (; c < d; c++) {
                sum += x[in + c];
            }
            float mean = sum / d;
            FloatVector meanV = FloatVector.broadcast(F, mean);
            acc = FloatVector.zero(F);
            c = 0;
            for (; c + L <= d; c += L) {
                FloatVector t = FloatVector.fromArray(F, x, in + c).sub(meanV);
                acc = t.fma(t, acc);
            }
            float sq = VectorMath.sum(acc);
            for (; c < d; c++) {
                float t = x[in + c] - mean;
                sq += t * t;
            }
            float inv = (float) (1.0 / Math.sqrt(sq / d + eps));
            c = 0;
            for (; c + L <= d; c += L) {
                FloatVector t = FloatVector.fromArray(F, x, in + c).sub(meanV).mul(inv);
                t.fma(FloatVector.fromArray(F, gamma, c), FloatVector.fromArray(F, beta, c)).intoArray(out, o + c);
            }
            for (; c < d; c++) {
                out[o + c] = (x[in + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
    }

    @Override
    public void quickGelu(float[] x, int off, int len) {
        elementwise(off, len, (from, to) -> quickGeluRange(x, from, to - from));
    }

    /** {@code body} over [off, off + len) in chunks of whole vectors, on every kernel thread when it is long. */
    private static void elementwise(int off, int len, Parallel.RangeBody body) {
        int chunks = (len + ELEMENTS_PER_CHUNK - 1) / ELEMENTS_PER_CHUNK;
        Parallel.forPieces(chunks, 1, (from, to) ->
                body.run(off + from * ELEMENTS_PER_CHUNK, off + Math.min(len, to * ELEMENTS_PER_CHUNK)));
    }

    private static void quickGeluRange(float[] x, int off, int len) {
        int i = off;
        for (; i + L <= off + len; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector e = VectorMath.exp(v.mul(-1.702f));
            v.div(e.add(1f)).intoArray(x, i);
        }
        for (; i < off + len; i++) {
            float v = x[i];
            x[i] = v / (1f + (float) Math.exp(-1.702f * v));
        }
    }

    /**
     * Exact GELU with erf from Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under fp32
     * rounding of the result); the Vector API has no erf.
     */
    @Override
    public void gelu(float[] x, int off, int len) {
        elementwise(off, len, (from, to) -> geluRange(x, from, to - from));
    }

    private static void geluRange(float[] x, int off, int len) {
        int i = off;
        for (; i + L <= off + len; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector z = v.mul((float) (1 / Math.sqrt(2)));
            FloatVector az = z.abs();
            FloatVector t = az.mul(0.3275911f).add(1f);
            t = FloatVector.broadcast(F, 1f).div(t);
            FloatVector poly = t.fma(1.061405429f, -1.453152027f).fma(t, FloatVector.broadcast(F, 1.421413741f))
                    .fma(t, FloatVector.broadcast(F, -0.284496736f)).fma(t, FloatVector.broadcast(F, 0.254829592f)).mul(t);
            FloatVector erfAbs = poly.mul(VectorMath.exp(az.mul(az).neg())).neg().add(1f);
            FloatVector erf = erfAbs.blend(erfAbs.neg(), z.lt(0f));
            v.mul(0.5f).mul(erf.add(1f)).intoArray(x, i);
        }
        for (; i < off + len; i++) {
            float v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + Erf.erf(v / Math.sqrt(2.0))));
        }
    }

    @Override
    public void softmax(float[] x, int off, int len) {
        float inv = 1f / softmaxNumerators(x, off, len);
        int i = off;
        for (; i + L <= off + len; i += L) {
            FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        }
        for (; i < off + len; i++) {
            x[i] *= inv;
        }
    }

    /**
     * x[off, off + n) ← exp(x − max(x)), the numerators of softmax(x); returns their sum, the
     * denominator.
     */
    private static float softmaxNumerators(float[] x, int off, int n) {
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) {
            maxV = maxV.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector sumV = FloatVector.zero(F);
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = VectorMath.expNoOverflow(FloatVector.fromArray(F, x, off + i).sub(max));    // x − max ≤ 0
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = VectorMath.sum(sumV);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }

    @Override
    public void attention(float[] qkv, int qkvOff, float[] out, int outOff, int m, int heads, int headDim, boolean causal) {
        FusedAttention.attention(qkv, qkvOff, out, outOff, m, heads, headDim, causal);
    }

    @Override
    public void matVec(Matrix m, float[] x, float[] out) {
        int cols = m.cols();
        Parallel.forRange(m.rows(), 1024, (from, to) -> {
            for (int r = from; r < to; r++) {
                long base = (long) r * cols;
                FloatVector acc = FloatVector.zero(F);
                int c = 0;
                for (; c + L <= cols; c += L) {
                    acc = Widen.load(m, base + c).fma(FloatVector.fromArray(F, x, c), acc);
                }
                float sum = VectorMath.sum(acc);
                for (; c < cols; c++) {
                    sum += Widen.scalar(m, base + c) * x[c];
                }
                out[r] = sum;
            }
        });
    }

    @Override
    public void nibbleDots(MemorySegment codes, int rows, int cols, float[] x, float[] out) {
        NibbleDots.dots(codes, rows, cols, x, out);
    }

    @Override
    public void readRow(Matrix w, int r, float[] dst, int off) {
        if (w.layout() == Matrix.Layout.ROWS) {
            Widen.copy(w, (long) r * w.cols(), dst, off, w.cols());
            return;
        }
        for (int c = 0; c < w.cols(); c += Matrix.STRIP) {                 // one run per strip
            Widen.copy(w, w.index(r, c), dst, off + c, Math.min(Matrix.STRIP, w.cols() - c));
        }
    }
}
