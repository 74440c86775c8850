package dev.jclip.spark;

import dev.jclip.convert.Converter;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.testing.Fixtures;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One Spark {@code local[2]} session for the module's tests, bound to loopback only, and the tiny model converted once. */
final class SparkTestSession {
    private static SparkSession spark;
    private static Path model;

    private SparkTestSession() {
    }

    static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("jclip-spark-tests")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
        }
        return spark;
    }

    /** The tiny fixture model as an F32 runtime file (so its embeddings are exactly ClipModel's on the same file). */
    static synchronized Path model() throws IOException {
        if (model == null) {
            Path dir = Path.of("target", "spark-tests");
            Files.createDirectories(dir);
            model = dir.resolve("clip-tiny.safetensors").toAbsolutePath();
            Converter.convert(Fixtures.tiny("hf"), model, DType.F32);
        }
        return model;
    }
}
