package dev.jclip.core.safetensors;

import java.util.Map;
import java.util.Set;

/** Named tensors read from one safetensors file or from the shards of one checkpoint. */
public interface TensorSource extends AutoCloseable {

    /** Tensor names, in the order the header lists them. */
    Set<String> names();

    /** The header entry of {@code name}, or a {@link SafeTensorsException} naming it. */
    TensorInfo info(String name);

    /** The header's {@code __metadata__} (empty when absent). */
    Map<String, String> metadata();

    /** The tensor's values converted to fp32 (F32, F16 and BF16 only). */
    float[] floats(String name);

    /** The tensor's values widened to long (I64, I32 and U8 only). */
    long[] longs(String name);

    /** The tensor's raw little-endian bytes. */
    byte[] bytes(String name);

    default boolean contains(String name) {
        return names().contains(name);
    }

    @Override
    void close();
}
