package dev.jclip.parquet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One Parquet file, read column chunk by column chunk: the footer's schema and row groups, and for a
 * leaf column its repetition and definition levels and non-null values. Reads what Spark, pyarrow and
 * DuckDB write by default: data pages v1 and v2; PLAIN, dictionary and BYTE_STREAM_SPLIT values;
 * uncompressed, SNAPPY or GZIP pages. Anything else is refused naming the file and what it uses.
 */
final class ParquetFile implements AutoCloseable {
    static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    // Thrift enums of parquet.thrift, by the numbers the format fixes.
    static final int TYPE_FLOAT = 4, TYPE_BYTE_ARRAY = 6;
    static final int REQUIRED = 0, OPTIONAL = 1, REPEATED = 2;
    static final int ENC_PLAIN = 0, ENC_PLAIN_DICTIONARY = 2, ENC_RLE = 3, ENC_RLE_DICTIONARY = 8, ENC_BYTE_STREAM_SPLIT = 9;
    static final int CODEC_UNCOMPRESSED = 0, CODEC_SNAPPY = 1, CODEC_GZIP = 2;
    static final int PAGE_DATA = 0, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3;
    /** Bounds that keep a hostile footer from asking for gigabytes: far above what Spark or pyarrow write. */
    static final int MAX_PAGE_BYTES = 256 << 20, MAX_CHUNK_VALUES = 64 << 20;
    private static final String[] CODECS = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};

    /**
     * A leaf column: its path of names from the root, its physical type, and the definition level at
     * which each node of the path is present (so a reader can tell a null list from an empty one).
     */
    record Leaf(List<String> path, int type, int maxDef, int maxRep, int[] defAtNode) {
        String dotted() {
            return String.join(".", path);
        }
    }

    /** A column chunk decoded: one level pair per entry, values only for entries with def == maxDef. */
    record Column(int[] rep, int[] def, float[] floats, byte[][] binaries) {
    }

    private final Path file;
    private final FileChannel ch;
    private final long size;
    private final List<Leaf> leaves = new ArrayList<>();
    private final List<CompactThrift.Struct> rowGroups;
    private final Map<String, String> keyValues = new HashMap<>();
    private final long rows;

    ParquetFile(Path file) throws IOException {
        this.file = file;
        this.ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            this.size = ch.size();
            if (size < 12) {
                throw error("too short to be a Parquet file (" + size + " bytes)");
            }
            byte[] tail = read(size - 8, 8);
            if (!Arrays.equals(Arrays.copyOfRange(tail, 4, 8), MAGIC) || !Arrays.equals(read(0, 4), MAGIC)) {
                throw error("not a Parquet file (no PAR1 magic at its start and end)");
            }
            long footerLength = intLE(tail, 0) & 0xFFFFFFFFL;
            if (footerLength > size - 12) {
                throw error("corrupt footer length " + footerLength);
            }
            byte[] footer = read(size - 8 - footerLength, (int) footerLength);
            CompactThrift.Struct meta = parse(footer, 0, footer.length, "footer");
            try {
                List<CompactThrift.Struct> schema = meta.list(2);
                walkSchema(schema, 1, schema.isEmpty() ? 0 : schema.get(0).i32(5, 0), new ArrayList<>(), 0, 0, new ArrayList<>());
                this.rowGroups = meta.list(4);
                this.rows = meta.i64(3);
                if (meta.has(5)) {
                    for (CompactThrift.Struct kv : meta.<CompactThrift.Struct>list(5)) {
                        keyValues.put(kv.string(1), kv.string(2));
                    }
                }
            } catch (IllegalStateException | ClassCastException | ArithmeticException | IndexOutOfBoundsException e) {
                throw error("corrupt footer (" + describe(e) + ")");
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Depth-first over the flattened schema list; returns the index after this subtree. */
    private int walkSchema(List<CompactThrift.Struct> schema, int index, int children, List<String> path,
                           int def, int rep, List<Integer> defs) {
        for (int c = 0; c < children; c++) {
            if (index >= schema.size()) {
                throw new IllegalStateException("schema ends early");
            }
            CompactThrift.Struct e = schema.get(index++);
            int repetition = e.i32(3, REQUIRED);
            int d = def + (repetition == REQUIRED ? 0 : 1);
            int r = rep + (repetition == REPEATED ? 1 : 0);
            List<String> p = new ArrayList<>(path);
            if (e.string(4) == null) {
                throw new IllegalStateException("a schema element without a name");
            }
            p.add(e.string(4));
            List<Integer> ds = new ArrayList<>(defs);
            ds.add(d);
            int kids = e.i32(5, 0);
            if (kids > 0) {
                if (p.size() > 16) {
                    throw new IllegalStateException("schema nested deeper than 16");
                }
                index = walkSchema(schema, index, kids, p, d, r, ds);
            } else {
                leaves.add(new Leaf(List.copyOf(p), e.i32(1, -1), d, r, ds.stream().mapToInt(Integer::intValue).toArray()));
            }
        }
        return index;
    }

    Path path() {
        return file;
    }

    List<Leaf> leaves() {
        return leaves;
    }

    long rows() {
        return rows;
    }

    int rowGroups() {
        return rowGroups.size();
    }

    long rowGroupRows(int g) {
        try {
            return rowGroups.get(g).i64(3);
        } catch (IllegalStateException e) {
            throw error("corrupt footer (row group " + g + ": " + e.getMessage() + ")");
        }
    }

    /** The file's key-value metadata (e.g. Spark's schema, or jclip's images folder). */
    Map<String, String> keyValues() {
        return keyValues;
    }

    /** Reads and decodes column {@code leaf} of row group {@code g}. */
    Column column(int g, Leaf leaf) throws IOException {
        try {
            CompactThrift.Struct meta = null;
            for (CompactThrift.Struct chunk : rowGroups.get(g).<CompactThrift.Struct>list(1)) {
                CompactThrift.Struct m = chunk.struct(3);
                if (m != null && m.<byte[]>list(3).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList().equals(leaf.path())) {
                    meta = m;
                }
            }
            if (meta == null) {
                throw error("row group " + g + " has no column " + leaf.dotted());
            }
            return decodeChunk(g, leaf, meta);
        } catch (IllegalStateException | ArithmeticException | IndexOutOfBoundsException | ClassCastException e) {
            throw error("column " + leaf.dotted() + " of row group " + g + " is corrupt (" + describe(e) + ")");
        }
    }

    private Column decodeChunk(int g, Leaf leaf, CompactThrift.Struct meta) throws IOException {
        int codec = meta.i32(4);
        if (codec != CODEC_UNCOMPRESSED && codec != CODEC_SNAPPY && codec != CODEC_GZIP) {
            throw error("column " + leaf.dotted() + " is compressed with " + (codec < CODECS.length ? CODECS[codec] : "codec " + codec)
                    + ", which jclip does not read; write it with snappy, gzip or none (Spark: spark.sql.parquet.compression.codec=snappy;"
                    + " pyarrow: compression='snappy')");
        }
        long numValues = meta.i64(5);
        long start = meta.i64(9);
        if (meta.has(11) && meta.i64(11) > 0 && meta.i64(11) < start) {
            start = meta.i64(11);
        }
        long length = meta.i64(7);
        if (start < 4 || length < 0 || length > Integer.MAX_VALUE - 16 || start + length > size - 8 || numValues > Integer.MAX_VALUE) {
            throw error("column " + leaf.dotted() + " of row group " + g + " lies outside the file");
        }
        if (numValues > MAX_CHUNK_VALUES) {
            throw error("column " + leaf.dotted() + " of row group " + g + " holds " + numValues + " values, over jclip's "
                    + MAX_CHUNK_VALUES + "; write it with smaller row groups");
        }
        byte[] chunk = read(start, (int) length);
        int n = (int) numValues;
        int[] rep = new int[n];
        int[] def = new int[n];
        int present = 0;
        float[] floats = leaf.type() == TYPE_FLOAT ? new float[n] : null;
        byte[][] binaries = leaf.type() == TYPE_BYTE_ARRAY ? new byte[n][] : null;
        if (floats == null && binaries == null) {
            throw error("column " + leaf.dotted() + " has physical type " + leaf.type() + "; jclip reads FLOAT and BYTE_ARRAY columns");
        }
        Object dictionary = null;
        int done = 0;
        int pos = 0;
        while (done < n) {
            CompactThrift.Reader r = new CompactThrift.Reader(chunk, pos, chunk.length);
            CompactThrift.Struct header = r.struct();
            pos = r.position();
            int compressed = header.i32(3);
            int uncompressed = header.i32(2);
            if (compressed < 0 || compressed > chunk.length - pos || uncompressed < 0 || uncompressed > MAX_PAGE_BYTES) {
                throw new IllegalStateException("a page runs past its column chunk");
            }
            byte[] page = Arrays.copyOfRange(chunk, pos, pos + compressed);
            pos += compressed;
            int type = header.i32(1);
            if (type == PAGE_DICTIONARY) {
                CompactThrift.Struct dh = header.struct(7);
                byte[] plain = decompress(codec, page, uncompressed);
                int count = dh.i32(1);
                dictionary = floats != null ? plainFloats(plain, 0, plain.length, count) : plainBinaries(plain, 0, plain.length, count);
                continue;
            }
            int count;
            int encoding;
            byte[] values;
            int valuesFrom;
            if (type == PAGE_DATA) {
                CompactThrift.Struct dh = header.struct(5);
                count = dh.i32(1);
                encoding = dh.i32(2);
                values = decompress(codec, page, uncompressed);
                valuesFrom = 0;
                if (leaf.maxRep() > 0) {
                    valuesFrom = prefixedLevels(values, valuesFrom, leaf.maxRep(), count, rep, done);
                }
                if (leaf.maxDef() > 0) {
                    valuesFrom = prefixedLevels(values, valuesFrom, leaf.maxDef(), count, def, done);
                }
            } else if (type == PAGE_DATA_V2) {
                CompactThrift.Struct dh = header.struct(8);
                count = dh.i32(1);
                encoding = dh.i32(4);
                int defLength = dh.i32(5);
                int repLength = dh.i32(6);
                boolean isCompressed = !Boolean.FALSE.equals(dh.fields().get(7));
                if (repLength < 0 || defLength < 0 || repLength + defLength > page.length) {
                    throw new IllegalStateException("level lengths exceed the page");
                }
                if (leaf.maxRep() > 0) {
                    copyLevels(RleHybrid.decode(page, 0, repLength, RleHybrid.bitWidth(leaf.maxRep()), count), rep, done);
                }
                if (leaf.maxDef() > 0) {
                    copyLevels(RleHybrid.decode(page, repLength, repLength + defLength, RleHybrid.bitWidth(leaf.maxDef()), count), def, done);
                }
                byte[] rest = Arrays.copyOfRange(page, repLength + defLength, page.length);
                values = isCompressed ? decompress(codec, rest, uncompressed - repLength - defLength) : rest;
                valuesFrom = 0;
            } else {
                continue;   // index pages: nothing to read
            }
            if (count < 0 || count > n - done) {
                throw new IllegalStateException("pages hold more values than the column chunk says");
            }
            int nonNull = 0;
            for (int i = done; i < done + count; i++) {
                if (def[i] == leaf.maxDef()) {
                    nonNull++;
                }
            }
            decodeValues(leaf, encoding, values, valuesFrom, nonNull, dictionary, floats, binaries, present);
            present += nonNull;
            done += count;
        }
        return new Column(rep, def, floats == null ? null : Arrays.copyOf(floats, present),
                binaries == null ? null : Arrays.copyOf(binaries, present));
    }

    private void decodeValues(Leaf leaf, int encoding, byte[] b, int from, int count, Object dictionary,
                              float[] floats, byte[][] binaries, int at) {
        if (encoding == ENC_PLAIN) {
            if (floats != null) {
                System.arraycopy(plainFloats(b, from, b.length, count), 0, floats, at, count);
            } else {
                System.arraycopy(plainBinaries(b, from, b.length, count), 0, binaries, at, count);
            }
        } else if (encoding == ENC_PLAIN_DICTIONARY || encoding == ENC_RLE_DICTIONARY) {
            if (dictionary == null) {
                throw new IllegalStateException("dictionary-encoded values without a dictionary page");
            }
            if (count == 0) {
                return;
            }
            int width = b[from] & 0xFF;
            int[] idx = RleHybrid.decode(b, from + 1, b.length, width, count);
            for (int i = 0; i < count; i++) {
                if (floats != null) {
                    floats[at + i] = ((float[]) dictionary)[idx[i]];
                } else {
                    binaries[at + i] = ((byte[][]) dictionary)[idx[i]];
                }
            }
        } else if (encoding == ENC_BYTE_STREAM_SPLIT && floats != null) {
            if ((long) count * 4 > b.length - from) {
                throw new IllegalStateException("values end early");
            }
            for (int i = 0; i < count; i++) {
                int bits = 0;
                for (int k = 0; k < 4; k++) {
                    bits |= (b[from + k * count + i] & 0xFF) << (8 * k);
                }
                floats[at + i] = Float.intBitsToFloat(bits);
            }
        } else {
            throw error("column " + leaf.dotted() + " uses value encoding " + encoding
                    + ", which jclip does not read (it reads PLAIN, dictionary and BYTE_STREAM_SPLIT)");
        }
    }

    private static float[] plainFloats(byte[] b, int from, int to, int count) {
        if ((long) count * 4 > to - from || count < 0) {
            throw new IllegalStateException("values end early");
        }
        float[] out = new float[count];
        ByteBuffer.wrap(b, from, to - from).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static byte[][] plainBinaries(byte[] b, int from, int to, int count) {
        if (count < 0 || count > to - from) {
            throw new IllegalStateException("values end early");
        }
        byte[][] out = new byte[count][];
        int pos = from;
        for (int i = 0; i < count; i++) {
            if (to - pos < 4) {
                throw new IllegalStateException("values end early");
            }
            int len = intLE(b, pos);
            pos += 4;
            if (len < 0 || len > to - pos) {
                throw new IllegalStateException("values end early");
            }
            out[i] = Arrays.copyOfRange(b, pos, pos + len);
            pos += len;
        }
        return out;
    }

    /** Levels of a v1 page: a 4-byte length, then the RLE hybrid; returns the offset after them. */
    private static int prefixedLevels(byte[] b, int from, int max, int count, int[] into, int at) {
        if (b.length - from < 4) {
            throw new IllegalStateException("levels end early");
        }
        int len = intLE(b, from);
        if (len < 0 || len > b.length - from - 4) {
            throw new IllegalStateException("levels end early");
        }
        copyLevels(RleHybrid.decode(b, from + 4, from + 4 + len, RleHybrid.bitWidth(max), count), into, at);
        return from + 4 + len;
    }

    /** The 4-byte little-endian int at {@code b[at]}; the caller has checked that the bytes are there. */
    private static int intLE(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private static void copyLevels(int[] levels, int[] into, int at) {
        if (levels.length > into.length - at) {
            throw new IllegalStateException("pages hold more values than the column chunk says");
        }
        System.arraycopy(levels, 0, into, at, levels.length);
    }

    private byte[] decompress(int codec, byte[] page, int uncompressed) throws IOException {
        return switch (codec) {
            case CODEC_UNCOMPRESSED -> page;
            case CODEC_SNAPPY -> Snappy.decompress(page, uncompressed);
            default -> {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(page))) {
                    byte[] out = in.readNBytes(uncompressed);
                    if (out.length != uncompressed || in.read() != -1) {
                        throw new IllegalStateException("a gzip page does not hold the size its header says");
                    }
                    yield out;
                }
            }
        };
    }

    private CompactThrift.Struct parse(byte[] b, int from, int to, String what) {
        try {
            return new CompactThrift.Reader(b, from, to).struct();
        } catch (IllegalStateException | ArithmeticException e) {
            throw error("corrupt " + what + " (" + describe(e) + ")");
        }
    }

    private byte[] read(long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw error("ends early");
            }
        }
        return buf.array();
    }

    private static String describe(RuntimeException e) {
        return e instanceof IllegalStateException && e.getMessage() != null ? e.getMessage() : "inconsistent sizes or types";
    }

    ParquetFormatException error(String what) {
        return new ParquetFormatException(file + ": " + what);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
