package dev.jclip.core.index;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import dev.jclip.tensor.Float16s;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The index file's bytes, per {@code src/main/flatbuffers/image_index.fbs}: FlatBuffers tables
 * {@code Index} and {@code Entry}, accessors written by hand (field i lives at vtable slot 4 + 2i).
 *
 * <p>Version 2 (written now) keeps the vectors out of the FlatBuffer, whose 32-bit offsets cap it at
 * 2 GB (1.4 million F16 vectors of 768): the file is the 8-byte magic {@code JCLXIDX2}, the header's
 * length as a little-endian u64, the FlatBuffers header (entries and metadata), then, each section
 * starting at the next multiple of 64 bytes: the entries × dim vectors in the file's dtype, one F32
 * scale per entry, and each entry's 4-bit codes ({@link Quantized}: the vectors at an eighth of F32's
 * size, which a large index scans first). Version 1 files (vectors inside the FlatBuffer, no codes)
 * are still read.
 */
final class IndexFile {
    static final String IDENTIFIER = "JCLX";
    static final int FORMAT_VERSION = 2;
    static final byte[] MAGIC_V2 = "JCLXIDX2".getBytes(StandardCharsets.US_ASCII);
    static final int PREFIX = 16;
    /** The widest embedding an index may hold: far above any CLIP's (ViT-L/14: 768), and small enough for int sizes. */
    static final int MAX_DIM = 1 << 16;
    static final byte DTYPE_F16 = 1;
    static final byte DTYPE_F32 = 2;

    /** One indexed image. */
    record Entry(String path, long size, long mtimeMs) {
    }

    /**
     * Everything but the vectors, and where the vectors' bytes are (offsets from the file's start);
     * {@code layout} is null for a version 1 file, which has no int8 codes.
     */
    record Header(int formatVersion, String modelId, String modelSource, String imagesDir, int dim, byte dtype,
                  List<Entry> entries, long vectorsOffset, long vectorsLength, Layout layout) {
    }

    /** Bytes per stored value for {@code dtype}, or -1 for an unknown one. */
    static int width(byte dtype) {
        return dtype == DTYPE_F16 ? 2 : dtype == DTYPE_F32 ? 4 : -1;
    }

    /** Where version 2's sections start: each at the first multiple of 64 bytes after the one before. */
    record Layout(long vectorsOffset, long vectorsLength, long scalesOffset, long codesOffset, long end) {
        static Layout of(long headerLength, long entries, int dim, byte dtype) {
            long vectors = align(PREFIX + headerLength);
            long vectorsLength = entries * dim * width(dtype);
            long scales = align(vectors + vectorsLength);
            long codes = align(scales + 4 * entries);
            return new Layout(vectors, vectorsLength, scales, codes, codes + entries * Quantized.codeBytes(dim));
        }

        private static long align(long offset) {
            return (offset + 63) / 64 * 64;
        }
    }

    /** Reads one stored vector of {@code dtype} from {@code b} (little-endian) into {@code dst}. */
    static void readVector(ByteBuffer b, byte dtype, float[] dst) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < dst.length; c++) {
            dst[c] = dtype == DTYPE_F16 ? Float16s.f16ToF32(le.getShort()) : le.getFloat();
        }
    }

    /** The version 2 FlatBuffers header: everything but the vectors. */
    static byte[] writeHeader(String modelId, String modelSource, String imagesDir, int dim, byte dtype, List<Entry> entries) {
        return write(FORMAT_VERSION, modelId, modelSource, imagesDir, dim, dtype, entries, null);
    }

    private IndexFile() {
    }

    static byte[] write(int formatVersion, String modelId, String modelSource, String imagesDir, int dim, byte dtype,
                        List<Entry> entries, byte[] vectors) {
        FlatBufferBuilder b = new FlatBufferBuilder((vectors == null ? 0 : vectors.length) + entries.size() * 64 + 1024);
        int vectorsOff = vectors == null ? 0 : b.createByteVector(vectors);
        int[] entryOffs = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int path = b.createString(e.path());
            b.startTable(3);
            b.addLong(2, e.mtimeMs(), 0);
            b.addLong(1, e.size(), 0);
            b.addOffset(0, path, 0);
            entryOffs[i] = b.endTable();
        }
        b.startVector(4, entryOffs.length, 4);
        for (int i = entryOffs.length - 1; i >= 0; i--) {
            b.addOffset(entryOffs[i]);
        }
        int entriesOff = b.endVector();
        int id = b.createString(modelId);
        int source = b.createString(modelSource);
        int images = b.createString(imagesDir);
        b.startTable(8);
        b.addOffset(7, images, 0);
        if (vectors != null) {
            b.addOffset(6, vectorsOff, 0);
        }
        b.addOffset(5, entriesOff, 0);
        b.addOffset(2, source, 0);
        b.addOffset(1, id, 0);
        b.addInt(3, dim, 0);
        b.addInt(0, formatVersion, 0);
        b.addByte(4, dtype, 0);
        b.finish(b.endTable(), IDENTIFIER);
        return b.sizedByteArray();
    }

    /**
     * Reads the header of a whole mapped file; a file that is not an index, or is cut short, is an
     * {@link IndexException}. Entries are read from the mapping as they are asked for, so opening an
     * index of a million images does not build a million objects.
     */
    static Header read(MemorySegment file, String where) {
        long size = file.byteSize();
        if (size >= PREFIX && MemorySegment.mismatch(file, 0, MAGIC_V2.length, MemorySegment.ofArray(MAGIC_V2), 0, MAGIC_V2.length) == -1) {
            long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8);
            if (headerLength < 8 || headerLength > Math.min(size - PREFIX, Integer.MAX_VALUE - 8)) {
                throw new IndexException(where + ": truncated or corrupt index (a header of " + headerLength
                        + " bytes in a file of " + size + ")");
            }
            Header h = readTable(file.asSlice(PREFIX, headerLength).asByteBuffer(), where, 2);
            if (width(h.dtype()) < 0 || h.dim() <= 0 || h.dim() > MAX_DIM) {
                throw new IndexException(where + ": truncated or corrupt index (dtype " + h.dtype() + ", width " + h.dim() + ")");
            }
            Layout layout = Layout.of(headerLength, h.entries().size(), h.dim(), h.dtype());
            if (layout.end() > size) {
                throw new IndexException(where + ": truncated or corrupt index (" + h.entries().size() + " entries of "
                        + h.dim() + " values need " + layout.end() + " bytes; the file has " + size + ")");
            }
            return new Header(h.formatVersion(), h.modelId(), h.modelSource(), h.imagesDir(), h.dim(), h.dtype(),
                    h.entries(), layout.vectorsOffset(), layout.vectorsLength(), layout);
        }
        if (size > Integer.MAX_VALUE) {
            throw new IndexException(where + ": not a jclip image index (no '" + IDENTIFIER + "' identifier)");
        }
        return readTable(file.asByteBuffer(), where, 1);
    }

    private static Header readTable(ByteBuffer bytes, String where, int expectedVersion) {
        ByteBuffer bb = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (bb.remaining() < 8 || !IndexTable.hasIdentifier(bb)) {
            throw new IndexException(where + ": not a jclip image index (no '" + IDENTIFIER + "' identifier)");
        }
        try {
            IndexTable root = new IndexTable(bb.getInt(bb.position()) + bb.position(), bb);
            int version = root.intField(0);
            if (version != expectedVersion) {
                throw new IndexException(where + ": index format version " + version + ", but this jclip reads versions 1 and "
                        + FORMAT_VERSION + "; build the index again with ./clip index");
            }
            int n = root.vectorLength(5);
            if (n < 0) {
                throw new IndexException(where + ": truncated or corrupt index (" + n + " entries)");
            }
            List<Entry> entries = new LazyEntries(root, n, where);
            if (n > 0) {
                entries.get(n - 1); // the last entry's offsets are checked now, not at the first search
            }
            long vectorsLength = root.vectorLength(6);
            long vectorsOffset = root.vectorStart(6);
            if (version == 1 && (vectorsOffset < 0 || vectorsOffset + vectorsLength > bb.limit())) {
                throw new IndexException(where + ": truncated or corrupt index (vectors run past the end)");
            }
            return new Header(version, root.string(1), root.string(2), root.string(7), root.intField(3), root.byteField(4),
                    entries, vectorsOffset, vectorsLength, null);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IndexException(where + ": truncated or corrupt index (an offset points outside the file)");
        }
    }

    /** The entries table, each entry read from the buffer when asked for. */
    private static final class LazyEntries extends AbstractList<Entry> implements RandomAccess {
        private final IndexTable root;
        private final int size;
        private final String where;

        LazyEntries(IndexTable root, int size, String where) {
            this.root = root;
            this.size = size;
            this.where = where;
        }

        @Override
        public Entry get(int i) {
            Objects.checkIndex(i, size);
            try {
                IndexTable e = root.tableAt(5, i);
                return new Entry(e.string(0), e.longField(1), e.longField(2));
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IndexException(where + ": truncated or corrupt index (entry " + i + " points outside the file)");
            }
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** A FlatBuffers table with the few accessors the schema needs. */
    private static final class IndexTable extends Table {
        IndexTable(int position, ByteBuffer bb) {
            __reset(position, bb);
        }

        static boolean hasIdentifier(ByteBuffer bb) {
            return __has_identifier(bb, IDENTIFIER);
        }

        private int slot(int field) {
            return __offset(4 + 2 * field);
        }

        int intField(int field) {
            int o = slot(field);
            return o == 0 ? 0 : bb.getInt(o + bb_pos);
        }

        long longField(int field) {
            int o = slot(field);
            return o == 0 ? 0 : bb.getLong(o + bb_pos);
        }

        byte byteField(int field) {
            int o = slot(field);
            return o == 0 ? 0 : bb.get(o + bb_pos);
        }

        String string(int field) {
            int o = slot(field);
            return o == 0 ? "" : __string(o + bb_pos);
        }

        int vectorLength(int field) {
            int o = slot(field);
            return o == 0 ? 0 : __vector_len(o);
        }

        int vectorStart(int field) {
            int o = slot(field);
            return o == 0 ? 0 : __vector(o);
        }

        IndexTable tableAt(int field, int i) {
            int o = slot(field);
            return new IndexTable(__indirect(__vector(o) + i * 4), bb);
        }
    }
}
