package dev.jclip.core.weights;

import dev.jclip.core.safetensors.DType;

import java.util.Arrays;

/** A tensor's stored dtype and shape. */
public record TensorSpec(DType dtype, long[] shape) {

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype + " " + Arrays.toString(shape);
    }
}
