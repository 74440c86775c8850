package dev.jclip.core.index;

import dev.jclip.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes a version 2 index file ({@link IndexFile}) by streaming the vectors one entry at a time, so
 * writing a million vectors needs memory for one; each vector's 4-bit codes ({@link Quantized}) are
 * derived from its stored values as it passes. The file appears whole or not at all: written
 * beside the target, forced to disk, then renamed over it.
 */
final class IndexWriter {
    /** Fills {@code dst} (exactly one vector's bytes, little-endian, in the file's dtype) with entry {@code i}'s vector. */
    @FunctionalInterface
    interface VectorBytes {
        void read(int i, ByteBuffer dst) throws IOException;
    }

    private IndexWriter() {
    }

    static void write(Path out, String modelId, String modelSource, String imagesDir, int dim, byte dtype,
                      List<IndexFile.Entry> entries, VectorBytes vectors) throws IOException {
        byte[] header = IndexFile.writeHeader(modelId, modelSource, imagesDir, dim, dtype, entries);
        IndexFile.Layout layout = IndexFile.Layout.of(header.length, entries.size(), dim, dtype);
        Path tmp = AtomicFiles.temporaryBeside(out);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer prefix = ByteBuffer.allocate((int) layout.vectorsOffset()).order(ByteOrder.LITTLE_ENDIAN);
                prefix.put(IndexFile.MAGIC_V2).putLong(header.length).put(header).position(prefix.capacity()).flip();
                writeFully(ch, prefix, 0);
                int vectorBytes = dim * IndexFile.width(dtype);
                Section stored = new Section(ch, layout.vectorsOffset(), vectorBytes);
                Section scales = new Section(ch, layout.scalesOffset(), 4);
                Section codes = new Section(ch, layout.codesOffset(), Quantized.codeBytes(dim));
                float[] v = new float[dim];
                for (int i = 0; i < entries.size(); i++) {
                    ByteBuffer one = stored.next();
                    vectors.read(i, one.duplicate().order(ByteOrder.LITTLE_ENDIAN));
                    IndexFile.readVector(one, dtype, v);
                    Quantized.encode(v, scales.next(), codes.next());
                }
                stored.flush();
                scales.flush();
                codes.flush();
                ch.force(true);
            }
            AtomicFiles.moveInto(tmp, out);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** One region of the file, written in order through a buffer of about a megabyte. */
    private static final class Section {
        private final FileChannel ch;
        private final int itemBytes;
        private final ByteBuffer buf;
        private long position;

        Section(FileChannel ch, long offset, int itemBytes) {
            this.ch = ch;
            this.itemBytes = itemBytes;
            this.position = offset;
            this.buf = ByteBuffer.allocate(Math.max(itemBytes, (1 << 20) / itemBytes * itemBytes)).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** The next item's bytes, to be filled by the caller. */
        ByteBuffer next() throws IOException {
            if (buf.remaining() < itemBytes) {
                flush();
            }
            ByteBuffer item = buf.slice(buf.position(), itemBytes).order(ByteOrder.LITTLE_ENDIAN);
            buf.position(buf.position() + itemBytes);
            return item;
        }

        void flush() throws IOException {
            buf.flip();
            int n = buf.remaining();
            writeFully(ch, buf, position);
            position += n;
            buf.clear();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
    }
}
