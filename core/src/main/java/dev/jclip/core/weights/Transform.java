package dev.jclip.core.weights;

/** How a checkpoint tensor becomes a runtime tensor. Each is applied in exactly one place, the converter. */
public enum Transform {
    /** Same values, same layout. */
    COPY,
    /** [in, out] → [out, in]: OpenAI stores its two projections as {@code x @ proj}; the runtime wants PyTorch's Linear layout. */
    TRANSPOSE,
    /** HF's separate q, k, v projections [D, D] (or biases [D]) stacked into OpenAI's {@code in_proj} [3D, D]. */
    CONCAT_QKV,
    /** The patch convolution [D, C, P, P] read as a matrix [D, C·P·P] (a reshape: same bytes). */
    FLATTEN_PATCH_KERNEL
}
