package dev.jclip.tensor;

/** How a weight matrix stores its values. Kernels widen to fp32 as they read. */
public enum Precision {
    F32(4), F16(2), BF16(2);

    /** Bytes per element. */
    public final int bytes;

    Precision(int bytes) {
        this.bytes = bytes;
    }
}
