package dev.jclip.convert;

import dev.jclip.core.safetensors.DType;

/** Choosing the stored dtype of a tensor built from several source tensors. */
final class Dtypes {
    private Dtypes() {
    }

    /** The dtype that holds both without loss: equal ones stay, anything mixed becomes F32. */
    static DType widest(DType a, DType b) {
        return a == b ? a : DType.F32;
    }
}
