package dev.jclip.core.safetensors;

import dev.jclip.core.io.AtomicFiles;
import dev.jclip.core.json.Json;
import dev.jclip.tensor.Float16s;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a safetensors file atomically: everything goes to a temporary file beside the target, which
 * is renamed over it only when complete, so a failure leaves no partial output. Tensor values are
 * produced one at a time at write time, so converting a large model holds one tensor in memory.
 */
public final class SafeTensorsWriter {
    private record Entry(String name, DType dtype, long[] shape, Supplier<byte[]> bytes) {
        long byteSize() {
            long n = dtype.size;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a float tensor stored as {@code dtype}; {@code values} is called once, at write time. */
    public SafeTensorsWriter addFloats(String name, DType dtype, long[] shape, Supplier<float[]> values) {
        if (!dtype.isFloat()) {
            throw new IllegalArgumentException(name + ": " + dtype + " is not a float dtype");
        }
        entries.add(new Entry(name, dtype, shape.clone(), () -> encode(name, dtype, shape, values.get())));
        return this;
    }

    /** Adds a tensor whose raw little-endian bytes are already in {@code dtype}. */
    public SafeTensorsWriter addBytes(String name, DType dtype, long[] shape, Supplier<byte[]> bytes) {
        entries.add(new Entry(name, dtype, shape.clone(), bytes));
        return this;
    }

    private static byte[] encode(String name, DType dtype, long[] shape, float[] v) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (v.length != n) {
            throw new IllegalStateException(name + ": " + v.length + " values for shape " + Arrays.toString(shape));
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * dtype.size)).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(v);
            case F16 -> {
                for (float f : v) {
                    b.putShort(Float16s.f32ToF16(f));
                }
            }
            case BF16 -> {
                for (float f : v) {
                    b.putShort(Float16s.f32ToBf16(f));
                }
            }
            default -> throw new IllegalStateException();
        }
        return b.array();
    }

    /** Writes all tensors to {@code target}, replacing it only on success. */
    public void write(Path target) throws IOException {
        Path tmp = AtomicFiles.temporaryBeside(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(header()));
                for (Entry e : entries) {
                    byte[] bytes = e.bytes().get();
                    if (bytes.length != e.byteSize()) {
                        throw new IllegalStateException(e.name() + ": produced " + bytes.length + " bytes, expected " + e.byteSize());
                    }
                    ByteBuffer buf = ByteBuffer.wrap(bytes);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
                ch.force(true);
            }
            AtomicFiles.moveInto(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private byte[] header() {
        Map<String, Object> root = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            root.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Entry e : entries) {
            long size = e.byteSize();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dtype", e.dtype().name());
            List<Long> shape = new ArrayList<>();
            for (long d : e.shape()) {
                shape.add(d);
            }
            m.put("shape", shape);
            m.put("data_offsets", List.of(offset, offset + size));
            if (root.put(e.name(), m) != null) {
                throw new IllegalStateException("tensor '" + e.name() + "' added twice");
            }
            offset += size;
        }
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return b.array();
    }
}
