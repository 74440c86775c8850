package dev.jclip.core.safetensors;

import dev.jclip.core.json.Json;
import dev.jclip.core.json.JsonException;
import dev.jclip.tensor.Float16s;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, memory-mapped through the FFM API: no copy at open, no 2 GB limit.
 *
 * <p>Layout: 8 bytes little-endian header length n, n bytes of JSON header, then the data section.
 * Every header entry is validated before any tensor is read: known dtype, non-negative shape, byte
 * range inside the data section and equal to dtype size × element count, and no two ranges overlapping.
 */
public final class SafeTensorsFile implements TensorSource {
    /** Headers above this size are refused before they are read (the format's own limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, Arena arena, MemorySegment data,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; a malformed file is a {@link SafeTensorsException} naming it. */
    public static SafeTensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new SafeTensorsException(path + ": not a safetensors file (" + fileSize
                        + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new SafeTensorsException(path + ": header length " + Long.toUnsignedString(headerLen)
                        + " is outside 2.." + MAX_HEADER_BYTES + " bytes (not a safetensors file, or corrupt)");
            }
            if (8 + headerLen > fileSize) {
                throw new SafeTensorsException(path + ": header length " + headerLen
                        + " runs past the end of the file (" + fileSize + " bytes): truncated?");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(headerBuf.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new SafeTensorsException(path + ": header is not valid UTF-8");
            }
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header, dataSize, metadata);
            MemorySegment data = dataSize == 0 ? MemorySegment.NULL
                    : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataSize, arena);
            return new SafeTensorsFile(path, arena, data, tensors, Collections.unmodifiableMap(metadata));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new SafeTensorsException(path + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new SafeTensorsException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new SafeTensorsException("unexpected end of file");
            }
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataSize,
                                                       Map<String, String> metadataOut) {
        Map<String, Object> root;
        try {
            root = Json.parseObject(header);
        } catch (JsonException e) {
            throw new SafeTensorsException(path + ": header is not valid JSON: " + e.getMessage());
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : root.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw new SafeTensorsException(path + ": __metadata__ is not a JSON object");
                }
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw new SafeTensorsException(path + ": __metadata__ value '" + me.getKey()
                                + "' is not a string");
                    }
                    metadataOut.put((String) me.getKey(), s);
                }
                continue;
            }
            tensors.put(name, parseEntry(path, name, e.getValue(), dataSize));
        }
        checkNoOverlap(path, tensors.values());
        return tensors;
    }

    private static TensorInfo parseEntry(Path path, String name, Object entry, long dataSize) {
        String where = path + ": tensor '" + name + "'";
        if (!(entry instanceof Map<?, ?> m)) {
            throw new SafeTensorsException(where + ": header entry is not a JSON object");
        }
        if (!(m.get("dtype") instanceof String dtypeName)) {
            throw new SafeTensorsException(where + ": missing or non-string 'dtype'");
        }
        DType dtype;
        try {
            dtype = DType.parse(dtypeName, name);
        } catch (SafeTensorsException ex) {
            throw new SafeTensorsException(path + ": " + ex.getMessage());
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new SafeTensorsException(where + ": missing or non-array 'shape'");
        }
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0) {
                throw new SafeTensorsException(where + ": shape " + shapeList + " is not a list of non-negative integers");
            }
            shape[i] = d;
        }
        if (!(m.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw new SafeTensorsException(where + ": 'data_offsets' is not a pair of integers");
        }
        for (Object key : m.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new SafeTensorsException(where + ": unexpected header field '" + key + "'");
            }
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafeTensorsException(where + ": data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataSize + " bytes (truncated or lying header)");
        }
        long expected;
        try {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            expected = Math.multiplyExact(n, (long) dtype.size);
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsException(where + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw new SafeTensorsException(where + ": holds " + (end - begin) + " bytes but " + dtype + " "
                    + Arrays.toString(shape) + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, Collection<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.byteSize() == 0) {
                continue;
            }
            if (prev != null && t.begin() < prev.end()) {
                throw new SafeTensorsException(path + ": tensors '" + prev.name() + "' and '" + t.name()
                        + "' overlap in the data section");
            }
            prev = t;
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafeTensorsException(path + ": no tensor named '" + name + "'");
        }
        return t;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's bytes as a read-only view of the mapping (no copy). */
    public MemorySegment segment(String name) {
        TensorInfo t = info(name);
        return data.asSlice(t.begin(), t.byteSize());
    }

    @Override
    public float[] floats(String name) {
        TensorInfo t = info(name);
        MemorySegment s = segment(name);
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(s, F32, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16s.f16ToF32(s.getAtIndex(I16, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16s.bf16ToF32(s.getAtIndex(I16, i));
                }
            }
            default -> throw new SafeTensorsException(path + ": tensor '" + name + "' is " + t.dtype()
                    + ", expected a float dtype (F32, F16, BF16)");
        }
        return out;
    }

    @Override
    public long[] longs(String name) {
        TensorInfo t = info(name);
        MemorySegment s = segment(name);
        int n = Math.toIntExact(t.elementCount());
        long[] out = new long[n];
        switch (t.dtype()) {
            case I64 -> MemorySegment.copy(s, I64, 0, out, 0, n);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = s.getAtIndex(I32, i);
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Byte.toUnsignedLong(s.get(ValueLayout.JAVA_BYTE, i));
                }
            }
            default -> throw new SafeTensorsException(path + ": tensor '" + name + "' is " + t.dtype()
                    + ", expected an integer dtype (I64, I32, U8)");
        }
        return out;
    }

    @Override
    public byte[] bytes(String name) {
        return segment(name).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
