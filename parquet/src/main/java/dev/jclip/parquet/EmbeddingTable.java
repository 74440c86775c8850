package dev.jclip.parquet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The embedding table in Parquet, as jclip's Spark job writes it and {@code ./clip export} writes it:
 * <pre>
 *   path       string         the image's path or URI
 *   embedding  array&lt;float&gt;  the projected embedding, unit length; null when error is set
 *   error      string         what kept the image from being embedded, naming it; null when fine
 *   model      string         the id of the model that computed the embedding
 * </pre>
 * A table is one file or a folder of part files (Spark's output); it is read a row group at a time.
 */
public final class EmbeddingTable {
    public static final String PATH = "path";
    public static final String EMBEDDING = "embedding";
    public static final String ERROR = "error";
    public static final String MODEL = "model";
    /** Key-value metadata: the folder the paths are relative to, when jclip wrote the table from an index. */
    public static final String IMAGES_DIR_KEY = "jclip.images_dir";
    /** Key-value metadata: the model the index was built with ({@code --model}), when jclip wrote the table from an index. */
    public static final String MODEL_SOURCE_KEY = "jclip.model_source";

    /** Told each row in file order. */
    @FunctionalInterface
    public interface RowSink {
        void accept(EmbeddingRow row) throws IOException;
    }

    private EmbeddingTable() {
    }

    /**
     * The Parquet files of a table: the file itself, or a folder's {@code *.parquet} files in name
     * order, leaving out Spark's bookkeeping ({@code _SUCCESS}, {@code .crc}, hidden files).
     */
    public static List<Path> parts(Path table) throws IOException {
        if (!Files.exists(table)) {
            throw new NoSuchFileException(table.toString());
        }
        if (!Files.isDirectory(table)) {
            return List.of(table);
        }
        try (Stream<Path> s = Files.list(table)) {
            List<Path> parts = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".parquet") && !n.startsWith("_") && !n.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
            if (parts.isEmpty()) {
                throw new ParquetFormatException(table + ": a folder without .parquet files");
            }
            return parts;
        }
    }

    /** The key-value metadata of the table's first part. */
    public static Map<String, String> metadata(Path table) throws IOException {
        try (ParquetFile f = new ParquetFile(parts(table).getFirst())) {
            return Map.copyOf(f.keyValues());
        }
    }

    /** Reads every row of the table, part by part and row group by row group, so memory holds one row group. */
    public static void read(Path table, RowSink sink) throws IOException {
        for (Path part : parts(table)) {
            try (ParquetFile f = new ParquetFile(part)) {
                Columns c = Columns.of(f);
                for (int g = 0; g < f.rowGroups(); g++) {
                    readRowGroup(f, c, g, sink);
                }
            }
        }
    }

    /** The four columns' leaves in a file; error and model may be absent (then null). */
    private record Columns(ParquetFile.Leaf path, ParquetFile.Leaf embedding, ParquetFile.Leaf error, ParquetFile.Leaf model) {
        static Columns of(ParquetFile f) {
            ParquetFile.Leaf path = null, embedding = null, error = null, model = null;
            for (ParquetFile.Leaf l : f.leaves()) {
                switch (l.path().getFirst()) {
                    case PATH -> path = l;
                    case EMBEDDING -> embedding = l;
                    case ERROR -> error = l;
                    case MODEL -> model = l;
                    default -> {
                        // other columns are carried along by Spark users; not needed here
                    }
                }
            }
            if (path == null || embedding == null) {
                throw f.error("no " + (path == null ? "\"path\"" : "\"embedding\"") + " column; an embedding table has columns "
                        + "path (string), embedding (array<float>), error (string), model (string)");
            }
            check(f, path, ParquetFile.TYPE_BYTE_ARRAY, 1, 0, "string");
            check(f, embedding, ParquetFile.TYPE_FLOAT, embedding.path().size(), 1, "array<float>");
            if (error != null) {
                check(f, error, ParquetFile.TYPE_BYTE_ARRAY, 1, 0, "string");
            }
            if (model != null) {
                check(f, model, ParquetFile.TYPE_BYTE_ARRAY, 1, 0, "string");
            }
            return new Columns(path, embedding, error, model);
        }

        private static void check(ParquetFile f, ParquetFile.Leaf l, int type, int depth, int maxRep, String what) {
            if (l.type() != type || l.path().size() != depth || l.maxRep() != maxRep || (maxRep == 1 && depth < 2)) {
                throw f.error("column \"" + l.path().getFirst() + "\" is not a " + what);
            }
        }
    }

    private static void readRowGroup(ParquetFile f, Columns c, int g, RowSink sink) throws IOException {
        long declared = f.rowGroupRows(g);
        if (declared < 0 || declared > ParquetFile.MAX_CHUNK_VALUES) {
            throw f.error("row group " + g + " claims " + declared + " rows");
        }
        int rows = (int) declared;
        String[] paths = strings(f, c.path(), f.column(g, c.path()), rows);
        String[] errors = c.error() == null ? new String[rows] : strings(f, c.error(), f.column(g, c.error()), rows);
        String[] models = c.model() == null ? new String[rows] : strings(f, c.model(), f.column(g, c.model()), rows);
        ParquetFile.Column e = f.column(g, c.embedding());
        ParquetFile.Leaf leaf = c.embedding();
        int listDefined = leaf.defAtNode()[0];       // def level at which the list itself is non-null
        int elementSlot = leaf.defAtNode()[1];       // def level at which the list has an element here
        int row = -1;
        int value = 0;
        List<float[]> embeddings = new ArrayList<>(rows);
        float[] current = null;
        int length = 0;
        float[] scratch = new float[1024];
        for (int i = 0; i < e.def().length; i++) {
            if (e.rep()[i] == 0) {
                if (row >= 0) {
                    embeddings.add(current == null ? null : Arrays.copyOf(scratch, length));
                }
                row++;
                length = 0;
                current = e.def()[i] >= listDefined ? scratch : null;
            }
            if (e.def()[i] >= elementSlot) {
                if (e.def()[i] != leaf.maxDef()) {
                    throw f.error("row group " + g + ": an embedding holds a null value");
                }
                if (length == scratch.length) {
                    scratch = Arrays.copyOf(scratch, scratch.length * 2);
                    current = scratch;
                }
                scratch[length++] = e.floats()[value++];
            }
        }
        if (row >= 0) {
            embeddings.add(current == null ? null : Arrays.copyOf(scratch, length));
        }
        if (embeddings.size() != rows) {
            throw f.error("row group " + g + " has " + rows + " rows but " + embeddings.size() + " embeddings");
        }
        for (int r = 0; r < rows; r++) {
            sink.accept(new EmbeddingRow(paths[r], embeddings.get(r), errors[r], models[r]));
        }
    }

    /** A flat string column's values, null where the definition level says so. */
    private static String[] strings(ParquetFile f, ParquetFile.Leaf leaf, ParquetFile.Column c, int rows) {
        if (c.def().length != rows) {
            throw f.error("column \"" + leaf.dotted() + "\" has " + c.def().length + " values for " + rows + " rows");
        }
        String[] out = new String[rows];
        int v = 0;
        for (int r = 0; r < rows; r++) {
            if (c.def()[r] == leaf.maxDef()) {
                out[r] = new String(c.binaries()[v++], StandardCharsets.UTF_8);
            }
        }
        return out;
    }
}
