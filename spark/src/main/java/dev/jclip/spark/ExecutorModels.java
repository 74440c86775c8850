package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import org.apache.spark.SparkFiles;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded model per executor JVM and model file: the first task to ask maps the file, every later
 * task of that executor shares it ({@link ClipModel} is thread-safe, and its weights stay in the
 * mapped file, so a second copy would cost only time). Lives as long as the executor.
 */
final class ExecutorModels {
    private static final Map<String, ClipModel> LOADED = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    static ClipModel get(String model) {
        return LOADED.computeIfAbsent(model, m -> ClipModel.load(locate(m)));
    }

    /**
     * The model file as this executor sees it: the path itself when it exists here (storage every
     * executor mounts), else the copy Spark shipped with {@code --files} (found by its file name).
     */
    static Path locate(String model) {
        Path direct = Path.of(model);
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        Path shipped = Path.of(SparkFiles.get(direct.getFileName().toString()));
        if (Files.isRegularFile(shipped)) {
            return shipped;
        }
        throw new IllegalArgumentException("--model " + model + ": no such file on executor host " + host()
                + "; put the model file on storage every executor mounts at that path, or ship it with --files "
                + model + " (executors then find it by its name)");
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "(unknown host)";
        }
    }
}
