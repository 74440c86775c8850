package dev.jclip.core.weights;

import dev.jclip.core.safetensors.DType;

import java.util.Arrays;

/** A tensor's stored dtype and shape. */
public record TensorSpec(DType dtype, long[] shape) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

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
