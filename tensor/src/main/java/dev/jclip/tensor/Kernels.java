package dev.jclip.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The numerical kernels a CLIP forward pass is made of.
 *
 * <p>Activations are row-major {@code float[]} with explicit offsets, so one buffer can hold several
 * tensors; weights are {@link Matrix} in their stored precision. Dimension letters: M rows of the left
 * operand (tokens), K the reduction length, N output columns, H heads, Dh head width. All accumulation
 * is in fp32.
 *
 * <p>{@link ScalarKernels} is the specification: every other implementation must agree with it to
 * rounding, and is tested against it. Kernels trust their arguments; callers validate shapes at the
 * public boundary.
 */
public interface Kernels {

    /** A short name for logs and benchmarks, e.g. {@code "scalar"}. */
    String name();

    /**
     * {@code out[M,N] = x[M,K] · w[K,N] + bias[N]}: a linear layer, K = {@code w.rows()},
     * N = {@code w.cols()}. {@code bias} may be null.
     */
    void linear(float[] x, int xOff, Matrix w, float[] bias, float[] out, int outOff, int m);

    /** Row-wise LayerNorm over {@code d} columns: {@code out = (x - mean) / sqrt(var + eps) * gamma + beta}. */
    void layerNorm(float[] x, int xOff, float[] gamma, float[] beta, float eps,
                   float[] out, int outOff, int rows, int d);

    /** In place {@code x * sigmoid(1.702 x)}, the activation of OpenAI's CLIP. */
    void quickGelu(float[] x, int off, int len);

    /** In place exact GELU, {@code x * Φ(x) = 0.5 x (1 + erf(x / √2))}. */
    void gelu(float[] x, int off, int len);

    /** In place numerically stable softmax over {@code len} values. */
    void softmax(float[] x, int off, int len);

    /**
     * Multi-head scaled dot-product attention over packed projections, for {@code m} tokens.
     *
     * @param qkv    [M, 3·H·Dh] rows of (q | k | v) from {@code qkvOff}, each split into H heads of Dh
     * @param out    [M, H·Dh] the heads' outputs, concatenated per row, from {@code outOff}
     * @param causal when true, token i attends to tokens 0..i only
     */
    void attention(float[] qkv, int qkvOff, float[] out, int outOff, int m, int heads, int headDim, boolean causal);

    /** {@code out[r] = Σ_c m[r, c] · x[c]} for every row r of a row-major {@code m}: a brute-force similarity scan. */
    void matVec(Matrix m, float[] x, float[] out);

    /**
     * {@code out[r] = Σ_c code(r, c) · x[c]} over rows of signed 4-bit codes, a coarse first pass of a
     * similarity scan at an eighth of fp32's bytes. {@code cols} is a multiple of 32; row r is the
     * {@code cols / 2} bytes from {@code r · cols / 2}; in each block of 32 columns (16 bytes), byte t
     * holds column t in its low nibble and column 16 + t in its high nibble, each two's complement in
     * [-8, 7].
     */
    void nibbleDots(MemorySegment codes, int rows, int cols, float[] x, float[] out);

    /** Row {@code r} of {@code w}, widened to fp32, into {@code dst[off..off+cols)}. */
    void readRow(Matrix w, int r, float[] dst, int off);

    /**
     * The fp32 FMA rate these kernels' instructions reach on all kernel threads, measured for about
     * {@code millis} ms on registers alone: the ceiling every kernel's GFLOP/s is a share of.
     */
    double fmaPeakGflops(int millis);
}
