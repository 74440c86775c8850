package dev.jclip.core.index;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The index file's bytes, per {@code src/main/flatbuffers/image_index.fbs}: FlatBuffers tables
 * {@code Index} and {@code Entry}, accessors written by hand (field i lives at vtable slot 4 + 2i).
 */
final class IndexFile {
    static final String IDENTIFIER = "JCLX";
    static final int FORMAT_VERSION = 1;
    static final byte DTYPE_F16 = 1;
    static final byte DTYPE_F32 = 2;

    /** One indexed image. */
    record Entry(String path, long size, long mtimeMs) {
    }

    /** Everything but the vectors, and where the vectors' bytes are. */
    record Header(int formatVersion, String modelId, String modelSource, String imagesDir, int dim, byte dtype,
                  List<Entry> entries, int vectorsOffset, int vectorsLength) {
    }

    private IndexFile() {
    }

    static byte[] write(int formatVersion, String modelId, String modelSource, String imagesDir, int dim, byte dtype,
                        List<Entry> entries, byte[] vectors) {
        FlatBufferBuilder b = new FlatBufferBuilder(vectors.length + entries.size() * 64 + 1024);
        int vectorsOff = b.createByteVector(vectors);
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
        b.addOffset(6, vectorsOff, 0);
        b.addOffset(5, entriesOff, 0);
        b.addOffset(2, source, 0);
        b.addOffset(1, id, 0);
        b.addInt(3, dim, 0);
        b.addInt(0, formatVersion, 0);
        b.addByte(4, dtype, 0);
        b.finish(b.endTable(), IDENTIFIER);
        return b.sizedByteArray();
    }

    /** Reads the header; a file that is not an index, or is cut short, is an {@link IndexException}. */
    static Header read(ByteBuffer bytes, String where) {
        ByteBuffer bb = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (bb.remaining() < 8 || !IndexTable.hasIdentifier(bb)) {
            throw new IndexException(where + ": not a jclip image index (no '" + IDENTIFIER + "' identifier)");
        }
        try {
            IndexTable root = new IndexTable(bb.getInt(bb.position()) + bb.position(), bb);
            int version = root.intField(0);
            if (version != FORMAT_VERSION) {
                throw new IndexException(where + ": index format version " + version + ", but this jclip reads version "
                        + FORMAT_VERSION + "; build the index again with ./clip index");
            }
            List<Entry> entries = new ArrayList<>();
            int n = root.vectorLength(5);
            for (int i = 0; i < n; i++) {
                IndexTable e = root.tableAt(5, i);
                entries.add(new Entry(e.string(0), e.longField(1), e.longField(2)));
            }
            int vectorsLength = root.vectorLength(6);
            int vectorsOffset = root.vectorStart(6);
            if (vectorsOffset < 0 || (long) vectorsOffset + vectorsLength > bb.limit()) {
                throw new IndexException(where + ": truncated or corrupt index (vectors run past the end)");
            }
            return new Header(version, root.string(1), root.string(2), root.string(7), root.intField(3), root.byteField(4),
                    entries, vectorsOffset, vectorsLength);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IndexException(where + ": truncated or corrupt index (" + e.getMessage() + ")");
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
