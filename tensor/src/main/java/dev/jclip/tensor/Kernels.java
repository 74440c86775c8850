package dev.jclip.tensor;

/**
 * The numerical kernels a CLIP forward pass is made of.
 *
 * <p>Matrices are row-major {@code float[]} with an explicit offset, so one activation buffer can hold
 * several tensors. Dimension letters used throughout: M rows of the left operand (tokens), K the
 * reduction length, N output columns, H heads, Dh head width. All accumulation is in fp32.
 *
 * <p>{@link ScalarKernels} is the specification: every other implementation must agree with it to
 * rounding. Kernels trust their arguments; callers validate shapes at the public boundary.
 */
public interface Kernels {

    /** A short name for logs and benchmarks, e.g. {@code "scalar"}. */
    String name();

    /**
     * {@code out[M,N] = x[M,K] · w[N,K]ᵀ + bias[N]}: a linear layer with PyTorch's {@code [out, in]}
     * weight layout. {@code bias} may be null.
     */
    void linear(float[] x, int xOff, float[] w, float[] bias, float[] out, int outOff, int m, int k, int n);

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
     * Multi-head scaled dot-product attention over packed projections.
     *
     * @param qkv    [M, 3·H·Dh] rows of (q | k | v), each split into H heads of Dh columns
     * @param out    [M, H·Dh] the heads' outputs, concatenated per row
     * @param causal when true, token i attends to tokens 0..i only
     */
    void attention(float[] qkv, float[] out, int m, int heads, int headDim, boolean causal);
}
