package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * jclip on Spark: adds to a Dataset of images or texts an {@code embedding} column (projected, unit
 * length), an {@code error} column (null when fine) and a {@code model} column (the model id); see
 * {@link EmbeddingColumns}. One bad image gives an error row, never a failed job.
 *
 * <pre>{@code
 * ClipEmbedder clip = new ClipEmbedder(spark, "/models/clip-vit-l14.safetensors");
 * Dataset<Row> images = spark.read().format("binaryFile").load("/photos/*.jpg");
 * clip.embedImages(images).write().parquet("/out/embeddings.parquet");
 * System.out.println(clip.metrics());
 * }</pre>
 *
 * Each executor JVM maps the model file once and shares it between its tasks; each task embeds its
 * partition in batches of {@link #batchSize}. The model path must exist on every executor host, or
 * be shipped with {@code spark-submit --files} (executors then find it by its file name).
 * Counts and embedding time come back through accumulators ({@link #metrics()}); as for any Spark
 * accumulator updated in a transformation, a retried task counts twice.
 */
public final class ClipEmbedder {
    /** What the executors did, summed over tasks: read after an action has run. */
    public record Metrics(long embedded, long failed, double taskSeconds) {
        /** Images (or texts) embedded per second of task time, i.e. per core busy embedding. */
        public double perTaskSecond() {
            return taskSeconds == 0 ? 0 : embedded / taskSeconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "embedded %d, failed %d, %.1f s of task time (%.2f per task-second)",
                    embedded, failed, taskSeconds, perTaskSecond());
        }
    }

    private final String model;
    private final int batchSize;
    private final LongAccumulator embedded;
    private final LongAccumulator failed;
    private final LongAccumulator nanos;

    /** Embeds with the model file {@code model} (a runtime .safetensors written by {@code ./clip convert}), 8 images a batch. */
    public ClipEmbedder(SparkSession spark, String model) {
        this(spark, model, ClipModel.IMAGE_BATCH);
    }

    public ClipEmbedder(SparkSession spark, String model, int batchSize) {
        Objects.requireNonNull(spark, "spark");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model: give the path of a jclip model file");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
        this.embedded = spark.sparkContext().longAccumulator("jclip embedded");
        this.failed = spark.sparkContext().longAccumulator("jclip failed");
        this.nanos = spark.sparkContext().longAccumulator("jclip embedding nanoseconds");
    }

    /**
     * {@code images} (Spark's {@code binaryFile} rows, or any Dataset with a string {@code path} and a
     * binary {@code content} column) with {@code content} dropped and embedding, error, model added.
     */
    public Dataset<Row> embedImages(Dataset<Row> images) {
        StructType in = images.schema();
        int path = column(in, EmbeddingColumns.PATH, DataTypes.StringType, "images");
        int content = column(in, EmbeddingColumns.CONTENT, DataTypes.BinaryType, "images");
        StructType out = EmbeddingColumns.withEmbedding(in, EmbeddingColumns.CONTENT);
        PartitionEmbedder f = new PartitionEmbedder.Images(model, batchSize, accumulators(), path, content);
        return images.mapPartitions(f, Encoders.row(out));
    }

    /** {@code texts} with embedding, error and model added for the string column {@code textColumn}; a null text is an error row. */
    public Dataset<Row> embedTexts(Dataset<Row> texts, String textColumn) {
        StructType in = texts.schema();
        int text = column(in, textColumn, DataTypes.StringType, "texts");
        StructType out = EmbeddingColumns.withEmbedding(in, null);
        PartitionEmbedder f = new PartitionEmbedder.Texts(model, batchSize, accumulators(), text);
        return texts.mapPartitions(f, Encoders.row(out));
    }

    /** The accumulated counts; complete once the action that used the embedded Dataset has finished. */
    public Metrics metrics() {
        return new Metrics(embedded.value(), failed.value(), nanos.value() / 1e9);
    }

    private PartitionEmbedder.Accumulators accumulators() {
        return new PartitionEmbedder.Accumulators(embedded, failed, nanos);
    }

    private static int column(StructType schema, String name, DataType type, String what) {
        int i = Arrays.asList(schema.fieldNames()).indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(what + ": no column \"" + name + "\" among " + Arrays.toString(schema.fieldNames()));
        }
        if (!schema.fields()[i].dataType().equals(type)) {
            throw new IllegalArgumentException(what + ": column \"" + name + "\" is " + schema.fields()[i].dataType().simpleString()
                    + ", not " + type.simpleString());
        }
        return i;
    }
}
