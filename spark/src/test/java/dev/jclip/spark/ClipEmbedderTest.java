package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.core.testing.Fixtures;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipEmbedderTest {
    private static SparkSession spark;
    private static ClipModel clip;
    @TempDir
    static Path photos;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkTestSession.get();
        clip = ClipModel.load(SparkTestSession.model());
        Files.createDirectories(photos.resolve("nested/deeper"));
        for (Path p : Fixtures.images()) {
            Files.copy(p, photos.resolve(p.getFileName()));
        }
        Files.copy(Fixtures.images().get(0), photos.resolve("nested/deeper/copy.png"));
        Files.write(photos.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2, 3});
        Files.write(photos.resolve("empty.png"), new byte[0]);
        Files.writeString(photos.resolve("notes.txt"), "not an image, not taken from a folder");
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    /** The expected embedding of a file: ClipModel's own, normalised. */
    private static float[] expected(String sparkPath) {
        return EmbeddingMath.normalized(clip.encodeImage(Path.of(java.net.URI.create(sparkPath))));
    }

    @Test
    void everyEmbeddingIsClipModelsAndBadFilesLandInError() throws IOException {
        ClipEmbedder embedder = new ClipEmbedder(spark, SparkTestSession.model().toString(), 3);
        Dataset<Row> files = EmbedImages.images(spark, photos.toString()).repartition(2);
        List<Row> rows = embedder.embedImages(files).collectAsList();

        Map<String, Row> byName = new HashMap<>();
        for (Row r : rows) {
            String path = r.getAs("path");
            byName.put(path.substring(path.indexOf(photos.getFileName().toString()) + photos.getFileName().toString().length() + 1), r);
        }
        int images = Fixtures.images().size();
        // Spark's file scan leaves out zero-length files: empty.png never reaches jclip (the README says so).
        assertEquals(images + 2, rows.size(), "the fixture images, the nested copy and broken.jpg; not notes.txt or empty.png: " + byName.keySet());
        for (Map.Entry<String, Row> e : byName.entrySet()) {
            Row r = e.getValue();
            assertEquals(clip.modelId(), r.getAs("model"));
            if (e.getKey().equals("broken.jpg")) {
                assertNull(r.getAs("embedding"), e.getKey());
                String error = r.getAs("error");
                assertTrue(error.contains(e.getKey()), "the error names the file: " + error);
                continue;
            }
            assertNull(r.getAs("error"), e.getKey());
            List<Float> got = r.getList(r.fieldIndex("embedding"));
            float[] want = expected(r.getAs("path"));
            assertEquals(want.length, got.size());
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got.get(i), 1e-6f, e.getKey() + "[" + i + "]");
            }
        }
        assertEquals(List.of("path", "modificationTime", "length", "embedding", "error", "model"),
                List.of(embedder.embedImages(files).schema().fieldNames()), "content is dropped, the rest kept");
        ClipEmbedder.Metrics m = embedder.metrics();
        assertEquals(images + 1, m.embedded());
        assertEquals(1, m.failed());
    }

    @Test
    void textsAreEmbeddedAsClipModelDoesThemAndNullIsAnError() throws IOException {
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("caption", DataTypes.StringType);
        List<String> texts = Fixtures.texts();
        List<Row> input = new java.util.ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            input.add(RowFactory.create(i, texts.get(i)));
        }
        input.add(RowFactory.create(-1, null));
        ClipEmbedder embedder = new ClipEmbedder(spark, SparkTestSession.model().toString());
        List<Row> rows = embedder.embedTexts(spark.createDataFrame(input, schema).repartition(2), "caption").collectAsList();
        assertEquals(texts.size() + 1, rows.size());
        for (Row r : rows) {
            int id = r.getInt(0);
            if (id < 0) {
                assertNull(r.getAs("embedding"));
                assertEquals("the text is null", r.getAs("error"));
                continue;
            }
            float[] want = EmbeddingMath.normalized(clip.encodeText(texts.get(id)));
            List<Float> got = r.getList(r.fieldIndex("embedding"));
            float[] g = new float[got.size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = got.get(i);
            }
            assertArrayEquals(want, g, 1e-6f, texts.get(id));
        }
    }

    @Test
    void anExecutorLoadsEachModelFileOnceForAllItsTasks() throws IOException {
        String model = SparkTestSession.model().toString();
        ClipModel first = ExecutorModels.get(model);
        List<Integer> sameInEveryTask = spark.range(0, 8, 1, 4).javaRDD()
                .map(i -> System.identityHashCode(ExecutorModels.get(model))).distinct().collect();
        assertEquals(List.of(System.identityHashCode(first)), sameInEveryTask, "local[2]: one JVM, one model for its four tasks");
    }

    @Test
    void aDatasetWithoutTheColumnsIsRefusedNamingThem() throws IOException {
        ClipEmbedder embedder = new ClipEmbedder(spark, SparkTestSession.model().toString());
        Dataset<Row> texts = spark.createDataFrame(List.of(RowFactory.create("a")), new StructType().add("text", DataTypes.StringType));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> embedder.embedImages(texts));
        assertEquals("images: no column \"path\" among [text]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> embedder.embedTexts(texts, "caption"));
        assertEquals("texts: no column \"caption\" among [text]", e.getMessage());
    }
}
