package dev.jclip.parquet;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an embedding table ({@link EmbeddingTable}) as one Parquet file: row groups of up to
 * {@link #ROW_GROUP_ROWS} rows, one uncompressed PLAIN data page (v1) per column chunk, the schema
 * Spark's job writes (a three-level LIST of required floats). Embeddings do not compress, and plain
 * pages are what every reader reads. Written beside the target and renamed over it when complete.
 */
public final class EmbeddingTableWriter implements AutoCloseable {
    static final int ROW_GROUP_ROWS = 4096;
    private final Path target;
    private final Path tmp;
    private final OutputStream out;
    private final Map<String, String> metadata;
    private final List<byte[]> rowGroups = new ArrayList<>();   // each RowGroup struct, written in the footer
    private final List<EmbeddingRow> pending = new ArrayList<>();
    private long position;
    private long rows;
    private boolean closed;

    /** Starts writing {@code target}; {@code metadata} goes into the footer's key-value metadata. */
    public EmbeddingTableWriter(Path target, Map<String, String> metadata) throws IOException {
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        this.tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        this.out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20);
        this.metadata = Map.copyOf(metadata);
        write(ParquetFile.MAGIC);
    }

    public void write(EmbeddingRow row) throws IOException {
        if ((row.embedding() == null) == (row.error() == null)) {
            throw new IllegalArgumentException(row.path() + ": a row has either an embedding or an error");
        }
        pending.add(row);
        if (pending.size() == ROW_GROUP_ROWS) {
            flushRowGroup();
        }
    }

    private void flushRowGroup() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        int n = pending.size();
        long groupStart = position;
        CompactThrift.Writer group = new CompactThrift.Writer().beginStructList(1, 4);
        // path: optional string
        int[] def = new int[n];
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            def[i] = 1;
            plainString(values, pending.get(i).path());
        }
        columnChunk(group, List.of(EmbeddingTable.PATH), ParquetFile.TYPE_BYTE_ARRAY, n, null, 0, def, 1, values.toByteArray());
        // embedding: optional list of required floats; an error row is a null list (def 0)
        List<Integer> reps = new ArrayList<>();
        List<Integer> defs = new ArrayList<>();
        values = new ByteArrayOutputStream();
        ByteBuffer f = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        for (EmbeddingRow r : pending) {
            if (r.embedding() == null || r.embedding().length == 0) {
                reps.add(0);
                defs.add(r.embedding() == null ? 0 : 1);
                continue;
            }
            for (int k = 0; k < r.embedding().length; k++) {
                reps.add(k == 0 ? 0 : 1);
                defs.add(2);
                values.write(f.putFloat(0, r.embedding()[k]).array(), 0, 4);
            }
        }
        int[] rep = reps.stream().mapToInt(Integer::intValue).toArray();
        columnChunk(group, List.of(EmbeddingTable.EMBEDDING, "list", "element"), ParquetFile.TYPE_FLOAT, rep.length,
                rep, 1, defs.stream().mapToInt(Integer::intValue).toArray(), 2, values.toByteArray());
        // error: optional string
        def = new int[n];
        values = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            String e = pending.get(i).error();
            def[i] = e == null ? 0 : 1;
            if (e != null) {
                plainString(values, e);
            }
        }
        columnChunk(group, List.of(EmbeddingTable.ERROR), ParquetFile.TYPE_BYTE_ARRAY, n, null, 0, def, 1, values.toByteArray());
        // model: required string
        values = new ByteArrayOutputStream();
        for (EmbeddingRow r : pending) {
            plainString(values, r.model());
        }
        columnChunk(group, List.of(EmbeddingTable.MODEL), ParquetFile.TYPE_BYTE_ARRAY, n, null, 0, null, 0, values.toByteArray());
        group.i64(2, position - groupStart).i64(3, n);
        rowGroups.add(group.finish());
        rows += n;
        pending.clear();
    }

    /** Writes one column chunk (a single data page) and adds its ColumnChunk struct to {@code group}. */
    private void columnChunk(CompactThrift.Writer group, List<String> path, int type, int count, int[] rep, int maxRep,
                             int[] def, int maxDef, byte[] values) throws IOException {
        ByteArrayOutputStream page = new ByteArrayOutputStream();
        if (maxRep > 0) {
            lengthPrefixed(page, RleHybrid.encodeRuns(rep, count, RleHybrid.bitWidth(maxRep)));
        }
        if (maxDef > 0) {
            lengthPrefixed(page, RleHybrid.encodeRuns(def, count, RleHybrid.bitWidth(maxDef)));
        }
        page.write(values, 0, values.length);
        byte[] body = page.toByteArray();
        byte[] header = new CompactThrift.Writer()
                .i32(1, ParquetFile.PAGE_DATA).i32(2, body.length).i32(3, body.length)
                .beginStruct(5).i32(1, count).i32(2, ParquetFile.ENC_PLAIN).i32(3, ParquetFile.ENC_RLE).i32(4, ParquetFile.ENC_RLE).end()
                .finish();
        long offset = position;
        write(header);
        write(body);
        long size = header.length + body.length;
        group.beginElement()
                .i64(2, offset)
                .beginStruct(3)
                .i32(1, type).i32List(2, ParquetFile.ENC_PLAIN, ParquetFile.ENC_RLE).stringList(3, path)
                .i32(4, ParquetFile.CODEC_UNCOMPRESSED).i64(5, count).i64(6, size).i64(7, size).i64(9, offset)
                .end()
                .end();
    }

    /** A PLAIN BYTE_ARRAY value: its length, then its bytes. */
    private static void plainString(ByteArrayOutputStream out, String s) {
        lengthPrefixed(out, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A 4-byte little-endian length, then the bytes: how Parquet frames a v1 page's levels and a byte array value. */
    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] b) {
        out.write(b.length);
        out.write(b.length >>> 8);
        out.write(b.length >>> 16);
        out.write(b.length >>> 24);
        out.write(b, 0, b.length);
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        position += b.length;
    }

    /** The footer: schema (as Spark writes it), row groups, metadata; then the file replaces the target. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushRowGroup();
            CompactThrift.Writer meta = new CompactThrift.Writer().i32(1, 1).beginStructList(2, 7);
            meta.beginElement().string(4, "schema").i32(5, 4).end();
            stringField(meta, EmbeddingTable.PATH, ParquetFile.OPTIONAL);
            meta.beginElement().i32(3, ParquetFile.OPTIONAL).string(4, EmbeddingTable.EMBEDDING).i32(5, 1).i32(6, 3)
                    .beginStruct(10).beginStruct(3).end().end().end();                    // converted LIST, logical LIST
            meta.beginElement().i32(3, ParquetFile.REPEATED).string(4, "list").i32(5, 1).end();
            meta.beginElement().i32(1, ParquetFile.TYPE_FLOAT).i32(3, ParquetFile.REQUIRED).string(4, "element").end();
            stringField(meta, EmbeddingTable.ERROR, ParquetFile.OPTIONAL);
            stringField(meta, EmbeddingTable.MODEL, ParquetFile.REQUIRED);
            meta.i64(3, rows).beginStructList(4, rowGroups.size());
            for (byte[] g : rowGroups) {
                meta.raw(g);                                                               // encoded as each was written
            }
            meta.beginStructList(5, metadata.size());
            for (Map.Entry<String, String> kv : metadata.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
                meta.beginElement().string(1, kv.getKey()).string(2, kv.getValue()).end();
            }
            byte[] f = meta.string(6, "jclip").finish();
            write(f);
            write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(f.length).array());
            write(ParquetFile.MAGIC);
            out.close();
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            out.close();
            Files.deleteIfExists(tmp);
        }
    }

    private static void stringField(CompactThrift.Writer meta, String name, int repetition) {
        meta.beginElement().i32(1, ParquetFile.TYPE_BYTE_ARRAY).i32(3, repetition).string(4, name).i32(6, 0)
                .beginStruct(10).beginStruct(1).end().end().end();                         // converted UTF8, logical STRING
    }
}
