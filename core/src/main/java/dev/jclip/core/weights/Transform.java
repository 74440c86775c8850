package dev.jclip.core.weights;

/**
 * How a checkpoint tensor becomes a runtime tensor. Each is applied in exactly one place, the
 * converter. The runtime stores every linear weight as [in, out] (the {@code x @ W} layout OpenAI
 * uses for its projections), so the matrix kernels read a run of output columns contiguously;
 * PyTorch's {@code Linear} stores [out, in], hence the transposes.
 */
public enum Transform {
    /** Same values, same layout. */
    COPY,
    /** [out, in] → [in, out]. */
    TRANSPOSE,
    /** HF's separate q, k, v biases [D] stacked into OpenAI's {@code in_proj_bias} [3D]. */
    CONCAT_QKV,
    /** HF's separate q, k, v weights [D, D] stacked into {@code in_proj_weight} [3D, D], then transposed to [D, 3D]. */
    CONCAT_QKV_TRANSPOSE,
    /** The patch convolution [D, C, P, P] read as a matrix [D, C·P·P] (a reshape), then transposed to [C·P·P, D]. */
    FLATTEN_PATCH_KERNEL_TRANSPOSE
}
