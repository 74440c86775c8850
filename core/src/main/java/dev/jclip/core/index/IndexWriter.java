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
 * writing a million vectors needs memory for one. The file appears whole or not at all: written
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
        long vectorsOffset = IndexFile.vectorsOffset(header.length);
        Path tmp = AtomicFiles.temporaryBeside(out);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer prefix = ByteBuffer.allocate((int) vectorsOffset).order(ByteOrder.LITTLE_ENDIAN);
                prefix.put(IndexFile.MAGIC_V2).putLong(header.length).put(header).position(prefix.capacity()).flip();
                writeFully(ch, prefix);
                int vectorBytes = dim * IndexFile.width(dtype);
                ByteBuffer buf = ByteBuffer.allocate(Math.max(vectorBytes, (1 << 20) / vectorBytes * vectorBytes)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < entries.size(); i++) {
                    if (buf.remaining() < vectorBytes) {
                        writeFully(ch, buf.flip());
                        buf.clear();
                    }
                    ByteBuffer one = buf.slice(buf.position(), vectorBytes).order(ByteOrder.LITTLE_ENDIAN);
                    vectors.read(i, one);
                    if (one.hasRemaining()) {
                        throw new IllegalStateException("entry " + i + ": " + one.remaining() + " vector bytes not written");
                    }
                    buf.position(buf.position() + vectorBytes);
                }
                writeFully(ch, buf.flip());
                ch.force(true);
            }
            AtomicFiles.moveInto(tmp, out);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
