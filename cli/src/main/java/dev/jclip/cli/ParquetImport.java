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
     * Writes {@code out} from {@code table}. {@code expectedModelId} (null: any) must be the table's
     * model; {@code modelSource} is recorded as the index's model ("" when none was given).
     */
    static Report run(Path table, Path out, String expectedModelId, String modelSource, boolean f16) throws IOException {
        Path scratch = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName(), ".vectors");
        try (FileChannel vectors = FileChannel.open(scratch, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            List<String> paths = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            int[] counts = new int[2];               // errors, duplicates
            String[] model = {expectedModelId};
            int[] dim = {-1};
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long[] written = {0};
            EmbeddingTable.read(table, row -> {
                if (row.error() != null || row.embedding() == null) {
                    counts[0]++;
                    return;
                }
                checkModel(table, row, model);
                if (dim[0] < 0) {
                    dim[0] = row.embedding().length;
                } else if (row.embedding().length != dim[0]) {
                    throw new UsageException(table + ": " + row.path() + " has an embedding of " + row.embedding().length
                            + " values where the rows before it have " + dim[0]);
                }
                if (!seen.add(row.path())) {
                    counts[1]++;
                    return;
                }
                paths.add(row.path());
                if (buf.remaining() < 4 * dim[0]) {
                    written[0] += flush(vectors, buf, written[0]);
                }
                for (float x : row.embedding()) {
                    buf.putFloat(x);
                }
            });
            flush(vectors, buf, written[0]);
            if (paths.isEmpty()) {
                throw new UsageException(table + ": no row has an embedding (" + counts[0] + " rows with an error)");
            }
            if (model[0] == null) {
                throw new UsageException(table + ": no model column says which model made the embeddings; give it with --model");
            }
            String imagesDir = imagesDir(table, paths);
            List<ImageIndex.Entry> entries = new ArrayList<>(paths.size());
            for (String p : paths) {
                entries.add(entry(p, imagesDir));
            }
            paths.clear();
            seen.clear();
            int width = dim[0];
            ImageIndex.write(out, model[0], modelSource, imagesDir, width, f16, entries, i -> {
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
            return new Report(entries.size(), counts[0], counts[1], model[0], imagesDir);
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    private static void checkModel(Path table, EmbeddingRow row, String[] model) {
        if (row.model() == null) {
            return;
        }
        if (model[0] == null) {
            model[0] = row.model();
        } else if (!model[0].equals(row.model())) {
            throw new UsageException(table + ": " + row.path() + " was embedded by model " + row.model() + ", not " + model[0]
                    + ": an index holds one model's embeddings");
        }
    }

    private static long flush(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        buf.flip();
        long n = buf.remaining();
        while (buf.hasRemaining()) {
            position += ch.write(buf, position);
        }
        buf.clear();
        return n;
    }

    /**
     * The folder the index's paths are relative to: the one recorded by {@code ./clip export} when
     * every path lies under it, else the deepest folder holding every path when all are local files
     * ({@code file:} URIs or absolute paths), else none (paths kept as given: hdfs:, s3a:, ...).
     */
    static String imagesDir(Path table, List<String> paths) throws IOException {
        String recorded = EmbeddingTable.metadata(table).get(EmbeddingTable.IMAGES_DIR_KEY);
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
