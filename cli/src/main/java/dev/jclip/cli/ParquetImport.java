package dev.jclip.cli;

import dev.jclip.core.index.ImageIndex;
import dev.jclip.parquet.EmbeddingRow;
import dev.jclip.parquet.EmbeddingTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An embedding table in Parquet (jclip's Spark job's output, or {@code ./clip export}'s) turned into an
 * index, streamed: the rows are read a row group at a time, each vector goes to a scratch file beside
 * the index, and only the paths stay in memory. Rows with an error are left out and counted; a path
 * seen twice keeps its first row.
 */
final class ParquetImport {
    /** What an import did. */
    record Report(int indexed, int errors, int duplicates, String modelId, String imagesDir) {
    }

    private ParquetImport() {
    }

    /**
     * Writes {@code out} from {@code table}, whose footer metadata is {@code metadata}.
     * {@code expectedModelId} (null: any) must be the table's model; {@code modelSource} is recorded
     * as the index's model ("" when none was given).
     */
    static Report run(Path table, Map<String, String> metadata, Path out, String expectedModelId, String modelSource,
                      boolean f16) throws IOException {
        Path scratch = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName(), ".vectors");
        try (FileChannel vectors = FileChannel.open(scratch, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            Rows rows = new Rows(table, vectors, expectedModelId);
            EmbeddingTable.read(table, rows);
            rows.flush();
            if (rows.paths.isEmpty()) {
                throw new UsageException(table + ": no row has an embedding (" + rows.errors + " rows with an error)");
            }
            if (rows.model == null) {
                throw new UsageException(table + ": no model column says which model made the embeddings; give it with --model");
            }
            String imagesDir = imagesDir(metadata, rows.paths);
            List<ImageIndex.Entry> entries = new ArrayList<>(rows.paths.size());
            for (String p : rows.paths) {
                entries.add(entry(p, imagesDir));
            }
            int width = rows.dim;
            ImageIndex.write(out, rows.model, modelSource, imagesDir, width, f16, entries, i -> {
                ByteBuffer one = ByteBuffer.allocate(4 * width).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    vectors.read(one, (long) i * 4 * width);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                float[] v = new float[width];
                one.flip().asFloatBuffer().get(v);
                return v;
            });
            return new Report(entries.size(), rows.errors, rows.duplicates, rows.model, imagesDir);
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /**
     * The table's rows as they stream by: each kept row's path in memory, its vector appended to the
     * scratch file in the same order; error rows and repeated paths counted.
     */
    private static final class Rows implements EmbeddingTable.RowSink {
        private final Path table;
        private final FileChannel vectors;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private long written;
        final List<String> paths = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();
        int errors;
        int duplicates;
        String model;     // the expected id, else the first row's
        int dim = -1;

        Rows(Path table, FileChannel vectors, String expectedModelId) {
            this.table = table;
            this.vectors = vectors;
            this.model = expectedModelId;
        }

        @Override
        public void accept(EmbeddingRow row) throws IOException {
            if (row.error() != null || row.embedding() == null) {
                errors++;
                return;
            }
            if (row.model() != null && model == null) {
                model = row.model();
            } else if (row.model() != null && !model.equals(row.model())) {
                throw new UsageException(table + ": " + row.path() + " was embedded by model " + row.model() + ", not " + model
                        + ": an index holds one model's embeddings");
            }
            if (dim < 0) {
                dim = row.embedding().length;
            } else if (row.embedding().length != dim) {
                throw new UsageException(table + ": " + row.path() + " has an embedding of " + row.embedding().length
                        + " values where the rows before it have " + dim);
            }
            if (!seen.add(row.path())) {
                duplicates++;
                return;
            }
            paths.add(row.path());
            if (buf.remaining() < 4 * dim) {
                flush();
            }
            for (float x : row.embedding()) {
                buf.putFloat(x);
            }
        }

        /** Writes what the buffer holds to the scratch file. */
        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                written += vectors.write(buf, written);
            }
            buf.clear();
        }
    }

    /**
     * The folder the index's paths are relative to: the one recorded by {@code ./clip export} when
     * every path lies under it, else the deepest folder holding every path when all are local files
     * ({@code file:} URIs or absolute paths), else none (paths kept as given: hdfs:, s3a:, ...).
     */
    static String imagesDir(Map<String, String> metadata, List<String> paths) {
        String recorded = metadata.get(EmbeddingTable.IMAGES_DIR_KEY);
        if (recorded != null && !recorded.isEmpty() && paths.stream().allMatch(p -> isUnder(localPath(p), recorded))) {
            return recorded;
        }
        String common = null;
        for (String p : paths) {
            String local = localPath(p);
            if (local == null) {
                return "";
            }
            String parent = local.substring(0, local.lastIndexOf('/') + 1);
            if (common == null) {
                common = parent;
            }
            while (!parent.startsWith(common)) {
                common = common.substring(0, common.lastIndexOf('/', common.length() - 2) + 1);
            }
        }
        return common.length() > 1 ? common.substring(0, common.length() - 1) : common;
    }

    private static boolean isUnder(String local, String dir) {
        return local != null && local.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }

    /**
     * The local absolute path of a table's path, or null: Spark writes {@code file:/a/b.jpg} (Hadoop
     * paths, not percent-encoded); {@code file:///a/b.jpg} and {@code /a/b.jpg} are taken too.
     */
    static String localPath(String p) {
        if (p == null) {
            return null;
        }
        if (p.startsWith("file://")) {
            p = p.substring("file://".length());
        } else if (p.startsWith("file:")) {
            p = p.substring("file:".length());
        }
        return p.startsWith("/") ? p : null;
    }

    /** An index entry: the path relative to the folder, and the file's size and mtime if it is here (0 if not). */
    private static ImageIndex.Entry entry(String path, String imagesDir) {
        String local = localPath(path);
        if (local == null || imagesDir.isEmpty()) {
            return new ImageIndex.Entry(path, 0, 0);
        }
        String relative = local.substring(imagesDir.equals("/") ? 1 : imagesDir.length() + 1);
        try {
            BasicFileAttributes a = Files.readAttributes(Path.of(local), BasicFileAttributes.class);
            return new ImageIndex.Entry(relative, a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException | RuntimeException e) {
            return new ImageIndex.Entry(relative, 0, 0);   // not on this host: unknown until it is indexed here
        }
    }
}
