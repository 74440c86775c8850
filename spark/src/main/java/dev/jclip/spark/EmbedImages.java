package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import dev.jclip.core.image.ImageFormat;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

import java.io.IOException;
import java.util.Locale;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;

/**
 * The Spark job: embeds every image under a folder (or matching a glob) into Parquet with the
 * columns path, embedding, error, model ({@link EmbeddingColumns}).
 * <pre>
 * spark-submit --class dev.jclip.spark.EmbedImages jclip-spark-VERSION.jar \
 *     --model M --input PATH_OR_GLOB --output OUT.parquet [--partitions N] [--batch N]
 * </pre>
 * A folder is read recursively and only files whose names promise an image are taken (as
 * {@code ./clip index} does); a glob takes every file it matches.
 */
public final class EmbedImages {
    private EmbedImages() {
    }

    /** The parsed command line. */
    record Options(String model, String input, String output, int partitions, int batch) {
        static final String USAGE = "usage: EmbedImages --model M --input PATH_OR_GLOB --output OUT.parquet [--partitions N] [--batch N]";

        static Options parse(String[] args) {
            String model = null;
            String input = null;
            String output = null;
            int partitions = 0;
            int batch = ClipModel.IMAGE_BATCH;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
                }
                String value = args[++i];
                switch (name) {
                    case "--model" -> model = value;
                    case "--input" -> input = value;
                    case "--output" -> output = value;
                    case "--partitions" -> partitions = positive(name, value);
                    case "--batch" -> batch = positive(name, value);
                    default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
                }
            }
            for (String[] required : new String[][] {{"--model", model}, {"--input", input}, {"--output", output}}) {
                if (required[1] == null) {
                    throw new IllegalArgumentException(required[0] + " is required\n" + USAGE);
                }
            }
            return new Options(model, input, output, partitions, batch);
        }

        private static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(name + " must be a positive whole number, not \"" + value + "\"");
        }
    }

    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder().appName("jclip EmbedImages").getOrCreate();
        int status = 0;
        try {
            run(spark, options);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            status = 2;
        } finally {
            spark.stop();
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the job in {@code spark}; returns what the executors counted. */
    static ClipEmbedder.Metrics run(SparkSession spark, Options o) throws IOException {
        Path out = new Path(o.output());
        FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (fs.exists(out)) {
            throw new IllegalArgumentException("--output " + o.output() + " already exists; remove it or choose another");
        }
        long start = System.nanoTime();
        Dataset<Row> images = images(spark, o.input());
        if (o.partitions() > 0) {
            images = images.repartition(o.partitions());
        }
        ClipEmbedder clip = new ClipEmbedder(spark, o.model(), o.batch());
        clip.embedImages(images)
                .select(col(EmbeddingColumns.PATH), col(EmbeddingColumns.EMBEDDING), col(EmbeddingColumns.ERROR), col(EmbeddingColumns.MODEL))
                .write().parquet(o.output());
        ClipEmbedder.Metrics m = clip.metrics();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "jclip: %d images embedded, %d failed, in %.1f s (%.2f images/s; %.1f s of task time) -> %s%n",
                m.embedded(), m.failed(), seconds, m.embedded() / seconds, m.taskSeconds(), o.output());
        return m;
    }

    /** The binaryFile rows of the input: a folder recursively, images by name only; a glob as matched. */
    static Dataset<Row> images(SparkSession spark, String input) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        boolean folder = fs.exists(p) && fs.getFileStatus(p).isDirectory();
        FileStatus[] matches = folder ? null : fs.globStatus(p);
        if (!folder && (matches == null || matches.length == 0)) {
            throw new IllegalArgumentException("--input " + input + ": no such folder or file, and no file matches it as a glob");
        }
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", folder).load(input);
        if (!folder) {
            return files;
        }
        spark.udf().register("jclip_promises_image", (UDF1<String, Boolean>) path ->
                ImageFormat.promisedByName(path.substring(path.lastIndexOf('/') + 1)), DataTypes.BooleanType);
        return files.filter(callUDF("jclip_promises_image", col(EmbeddingColumns.PATH)));
    }
}
