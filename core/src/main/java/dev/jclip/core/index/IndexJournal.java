package dev.jclip.core.index;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The work of an index build in progress, beside the index ({@code INDEX.journal}): an append-only file
 * of one record per image, embedded or failed, each ending in a CRC-32. A build appends every batch
 * and forces the file to disk at least every {@value #SYNC_SECONDS} seconds, so a crash, a
 * {@code kill -9} or a power cut loses at most that much; the next build reads the journal back up to
 * the first torn record, cuts that off, and goes on from there. Vectors are stored exactly as the
 * index stores them (unit length, in its dtype), so the finished index copies their bytes.
 *
 * <pre>
 * file    = "JCLXJRN1" u32:dim u8:dtype str:modelId str:imagesDir record*
 * record  = u32:length (kind .. crc) u8:kind str:path i64:size i64:mtimeMs payload u32:crc32(kind .. payload)
 * payload = kind 1 (embedded): dim values of dtype | kind 2 (failed): str:reason
 * str     = u16:length UTF-8 bytes; all numbers little-endian
 * </pre>
 */
final class IndexJournal implements AutoCloseable {
    static final int SYNC_SECONDS = 20;
    private static final byte[] MAGIC = "JCLXJRN1".getBytes(StandardCharsets.US_ASCII);
    private static final byte EMBEDDED = 1;
    private static final byte FAILED = 2;

    /** An image the journal has done: where its vector's bytes are in the journal, or why it failed. */
    record Done(IndexFile.Entry entry, long vectorOffset, String failure) {
    }

    private final Path file;
    private final FileChannel channel;
    private final int dim;
    private final byte dtype;
    private final Map<String, Done> done;
    private long lastSync = System.nanoTime();

    private IndexJournal(Path file, FileChannel channel, int dim, byte dtype, Map<String, Done> done) {
        this.file = file;
        this.channel = channel;
        this.dim = dim;
        this.dtype = dtype;
        this.done = done;
    }

    /** {@code INDEX.journal} for the index {@code INDEX}. */
    static Path beside(Path index) {
        return index.resolveSibling(index.getFileName() + ".journal");
    }

    /**
     * Opens the journal of {@code index} to go on with it, or starts a new one when there is none or it
     * belongs to another model, width, dtype or folder (then its work cannot be used).
     */
    static IndexJournal openOrStart(Path index, String modelId, String imagesDir, int dim, byte dtype) throws IOException {
        Path file = beside(index);
        byte[] header = header(modelId, imagesDir, dim, dtype);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Map<String, Done> done = new HashMap<>();
            long end = ch.size() >= header.length && sameHeader(ch, header) ? readRecords(ch, header.length, dim, dtype, done) : -1;
            if (end < 0) {
                done.clear();
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(header), 0);
                end = header.length;
            }
            ch.truncate(end); // a torn last record is cut off
            ch.position(end);
            ch.force(true);
            return new IndexJournal(file, ch, dim, dtype, done);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static byte[] header(String modelId, String imagesDir, int dim, byte dtype) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 1 + str(modelId).length + str(imagesDir).length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(dim).put(dtype).put(str(modelId)).put(str(imagesDir));
        return b.array();
    }

    private static byte[] str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("a path or name of " + utf8.length + " bytes is too long for the index journal");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putShort((short) utf8.length).put(utf8).array();
    }

    private static boolean sameHeader(FileChannel ch, byte[] header) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(header.length);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read fully
        }
        return !b.hasRemaining() && Arrays.equals(b.array(), header);
    }

    /** Reads the records from {@code start}; returns the offset after the last whole, intact one. */
    private static long readRecords(FileChannel ch, long start, int dim, byte dtype, Map<String, Done> done) throws IOException {
        long size = ch.size();
        if (size == start) {
            return start;
        }
        int vectorBytes = dim * IndexFile.width(dtype);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            long p = start;
            while (p + 4 <= size) {
                long length = Integer.toUnsignedLong(seg.get(u32, p));
                if (length < 4 || p + 4 + length > size) {
                    break; // torn: the write of this record did not finish
                }
                byte[] record = seg.asSlice(p + 4, length - 4).toArray(ValueLayout.JAVA_BYTE);
                CRC32 crc = new CRC32();
                crc.update(record);
                if ((int) crc.getValue() != seg.get(u32, p + length)) {
                    break;
                }
                ByteBuffer r = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
                byte kind = r.get();
                String path = readStr(r);
                IndexFile.Entry entry = new IndexFile.Entry(path, r.getLong(), r.getLong());
                if (kind == EMBEDDED && r.remaining() == vectorBytes) {
                    done.put(path, new Done(entry, p + 4 + r.position(), null));
                } else if (kind == FAILED) {
                    done.put(path, new Done(entry, -1, readStr(r)));
                } else {
                    break;
                }
                p += 4 + length;
            }
            return p;
        }
    }

    private static String readStr(ByteBuffer r) {
        int n = Short.toUnsignedInt(r.getShort());
        byte[] b = new byte[n];
        r.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** What earlier runs of this build did, by path. */
    Map<String, Done> done() {
        return done;
    }

    Path file() {
        return file;
    }

    /** Appends an embedded image; {@code vector} is in the index's dtype, unit length. */
    synchronized void embedded(IndexFile.Entry e, byte[] vector) throws IOException {
        if (vector.length != dim * IndexFile.width(dtype)) {
            throw new IllegalArgumentException(e.path() + ": vector of " + vector.length + " bytes for width " + dim);
        }
        long offset = append(EMBEDDED, e, vector);
        done.put(e.path(), new Done(e, offset, null));
    }

    /** Appends an image that could not be embedded, with the reason. */
    synchronized void failed(IndexFile.Entry e, String reason) throws IOException {
        String r = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
        append(FAILED, e, str(r));
        done.put(e.path(), new Done(e, -1, r));
    }

    /** Appends one record; returns the file offset of its payload. */
    private long append(byte kind, IndexFile.Entry e, byte[] payload) throws IOException {
        byte[] path = str(e.path());
        int bodyLength = 1 + path.length + 16 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(4 + bodyLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(bodyLength + 4).put(kind).put(path).putLong(e.size()).putLong(e.mtimeMs()).put(payload);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, bodyLength);
        b.putInt((int) crc.getValue()).flip();
        long start = channel.position();
        while (b.hasRemaining()) {
            channel.write(b);
        }
        return start + 4 + 1 + path.length + 16;
    }

    /** Forces the journal to disk if the last time was {@value #SYNC_SECONDS} seconds ago or more. */
    synchronized void syncIfDue() throws IOException {
        if (System.nanoTime() - lastSync >= SYNC_SECONDS * 1_000_000_000L) {
            sync();
        }
    }

    synchronized void sync() throws IOException {
        channel.force(false);
        lastSync = System.nanoTime();
    }

    /** Reads the vector bytes stored at {@code offset}. */
    synchronized void readVector(long offset, ByteBuffer dst) throws IOException {
        long p = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, p);
            if (n < 0) {
                throw new IOException(file + ": ends inside a vector");
            }
            p += n;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel.isOpen()) {
            channel.force(false);
            channel.close();
        }
    }

    /** Deletes the journal once its work is in a finished index. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }
}
