package dev.jclip.convert;

import dev.jclip.core.safetensors.TensorInfo;
import dev.jclip.core.safetensors.TensorSource;
import dev.jclip.core.weights.TensorSpec;

import java.util.Set;

/** The tensors of a source checkpoint under its own names, before the weight table maps them. */
interface RawTensors {
    Set<String> names();

    TensorSpec spec(String name);

    float[] floats(String name);

    long[] longs(String name);

    static RawTensors of(TensorSource source) {
        return new RawTensors() {
            @Override
            public Set<String> names() {
                return source.names();
            }

            @Override
            public TensorSpec spec(String name) {
                TensorInfo t = source.info(name);
                return new TensorSpec(t.dtype(), t.shape());
            }

            @Override
            public float[] floats(String name) {
                return source.floats(name);
            }

            @Override
            public long[] longs(String name) {
                return source.longs(name);
            }
        };
    }
}
