package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.parquet.EmbeddingRow;
import dev.jclip.parquet.EmbeddingTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbedImagesTest {
    @TempDir
    Path dir;

    @Test
    void writesParquetWithTheDocumentedSchema() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (Path p : Fixtures.images()) {
            Files.copy(p, photos.resolve(p.getFileName()));
        }
        Files.write(photos.resolve("broken.png"), new byte[] {1, 2, 3});
        Path out = dir.resolve("out.parquet");

        ClipEmbedder.Metrics m = EmbedImages.run(spark, EmbedImages.Options.parse(new String[] {
                "--model", SparkTestSession.model().toString(), "--input", photos.toString(), "--output", out.toString(),
                "--partitions", "3"}));
        assertEquals(Fixtures.images().size(), m.embedded());
        assertEquals(1, m.failed());

        Dataset<Row> back = spark.read().parquet(out.toString());
        List<String> names = List.of(back.schema().fieldNames());
        assertEquals(List.of("path", "embedding", "error", "model"), names);
        for (StructField f : EmbeddingColumns.parquetSchema().fields()) {
            assertEquals(f.dataType().simpleString(), back.schema().apply(f.name()).dataType().simpleString(), f.name());
        }
        int width;
        try (ClipModel clip = ClipModel.load(SparkTestSession.model())) {
            width = clip.embedDim();
        }
        List<Row> rows = back.collectAsList();
        assertEquals(Fixtures.images().size() + 1, rows.size());
        List<EmbeddingRow> ours = new ArrayList<>();
        EmbeddingTable.read(out, ours::add);   // jclip's own reader (./clip index --from-parquet) on Spark's output
        assertEquals(rows.size(), ours.size());
        Map<String, EmbeddingRow> byPath = new HashMap<>();
        ours.forEach(r -> byPath.put(r.path(), r));
        for (Row r : rows) {
            String path = r.getString(0);
            EmbeddingRow mine = byPath.get(path);
            assertEquals(r.getString(2), mine.error());
            assertEquals(r.getString(3), mine.model());
            if (r.get(1) != null) {
                List<Float> sparks = r.getList(1);
                for (int i = 0; i < sparks.size(); i++) {
                    assertEquals(sparks.get(i), mine.embedding()[i], path);
                }
            }
            if (path.endsWith("broken.png")) {
                assertNull(r.get(1));
                assertTrue(r.getString(2).startsWith(path + ": "), r.getString(2));
            } else {
                assertNotNull(r.get(1), path);
                assertEquals(width, r.getList(1).size());
                assertNull(r.get(2));
            }
        }
    }

    @Test
    void anExistingOutputOrAMissingInputIsRefusedInWords() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path existing = Files.createDirectories(dir.resolve("taken.parquet"));
        String model = SparkTestSession.model().toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbedImages.run(spark,
                EmbedImages.Options.parse(new String[] {"--model", model, "--input", dir.toString(), "--output", existing.toString()})));
        assertEquals("--output " + existing + " already exists; remove it or choose another", e.getMessage());
        Path missing = dir.resolve("nowhere/*.jpg");
        e = assertThrows(IllegalArgumentException.class, () -> EmbedImages.run(spark,
                EmbedImages.Options.parse(new String[] {"--model", model, "--input", missing.toString(), "--output", dir.resolve("o").toString()})));
        assertEquals("--input " + missing + ": no such folder or file, and no file matches it as a glob", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EmbedImages.Options.parse(new String[] {"--model", model, "--partitions", "0"}));
        assertEquals("--partitions must be a positive whole number, not \"0\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EmbedImages.Options.parse(new String[] {"--model", model}));
        assertTrue(e.getMessage().startsWith("--input is required\nusage: EmbedImages"), e.getMessage());
    }
}
