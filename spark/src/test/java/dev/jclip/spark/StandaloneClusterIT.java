package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.core.testing.Fixtures;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Spark standalone cluster on loopback, started from this project's own classpath: a Master
 * and two Workers as separate JVMs bound to 127.0.0.1, the job submitted with {@code SparkSubmit} in
 * a third JVM (the driver), the model shipped to the executors with {@code --files}. Runs after
 * {@code package} (failsafe), since it submits the job jar itself. Every process it starts is
 * stopped, and every wait is bounded.
 */
class StandaloneClusterIT {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Path WORK = Path.of("target", "standalone").toAbsolutePath();
    private final List<Process> started = new ArrayList<>();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void theJobRunsOnAMasterAndTwoWorkers() throws Exception {
        deleteRecursively(WORK);
        Path sparkHome = fakeSparkHome();
        Path photos = Files.createDirectories(WORK.resolve("photos"));
        for (Path p : Fixtures.images()) {
            Files.copy(p, photos.resolve(p.getFileName()));
            Files.copy(p, photos.resolve("again-" + p.getFileName()));
        }
        Files.write(photos.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2});
        Path model = SparkTestSession.model();
        Path out = WORK.resolve("out.parquet");
        try {
            int masterPort = freePort();
            String master = "spark://127.0.0.1:" + masterPort;
            Path masterLog = start("master", sparkHome, "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
            awaitLog(masterLog, "Starting Spark master at " + master);
            for (int w = 1; w <= 2; w++) {
                Path dir = Files.createDirectories(WORK.resolve("worker" + w));
                start("worker" + w, sparkHome, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--webui-port", String.valueOf(freePort()), "--cores", "1", "--memory", "1g",
                        "--work-dir", dir.toString(), master);
            }
            awaitCount(masterLog, "Registering worker 127.0.0.1", 2);

            Process driver = launch("driver", sparkHome, "org.apache.spark.deploy.SparkSubmit",
                    "--master", master, "--deploy-mode", "client",
                    "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                    "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=512m",
                    "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
                    "--files", model.toString(),
                    "--class", "dev.jclip.spark.EmbedImages", jobJar().toString(),
                    "--model", model.getFileName().toString(), "--input", photos.toString(), "--output", out.toString(),
                    "--partitions", "4");
            if (!driver.waitFor(150, TimeUnit.SECONDS)) {
                fail("the job did not finish within 150 s; see " + WORK.resolve("driver.log"));
            }
            String driverLog = Files.readString(WORK.resolve("driver.log"));
            assertEquals(0, driver.exitValue(), "the job failed; its log:\n" + tail(driverLog));
            int images = 2 * Fixtures.images().size();
            assertTrue(driverLog.contains("jclip: " + images + " images embedded, 1 failed"), tail(driverLog));
            for (int w = 1; w <= 2; w++) {
                List<Path> logs;
                try (Stream<Path> files = Files.walk(WORK.resolve("worker" + w))) {
                    logs = files.filter(p -> p.getFileName().toString().equals("stderr")).toList();
                }
                assertTrue(!logs.isEmpty(), "worker " + w + " ran an executor of the job");
                for (Path log : logs) {
                    // Spark's launcher gives executors the Vector API module: the kernels are the SIMD ones.
                    assertTrue(!Files.readString(log).contains("using the slow scalar kernels"), log + " ran the scalar kernels");
                }
            }
            checkOutput(out, images);
        } finally {
            stopAll();
        }
    }

    /** Every embedding equals ClipModel's on the same file; broken.jpg is an error row. */
    private static void checkOutput(Path out, int images) throws IOException {
        List<Row> rows = SparkTestSession.get().read().parquet(out.toString()).collectAsList();
        assertEquals(images + 1, rows.size());
        try (ClipModel clip = ClipModel.load(SparkTestSession.model())) {
            for (Row r : rows) {
                Path file = Path.of(java.net.URI.create(r.getString(0)));
                assertEquals(clip.modelId(), r.getString(3));
                if (file.getFileName().toString().equals("broken.jpg")) {
                    assertNull(r.get(1));
                    assertTrue(r.getString(2).contains("broken.jpg"), r.getString(2));
                    continue;
                }
                assertNull(r.get(2), file.toString());
                float[] want = EmbeddingMath.normalized(clip.encodeImage(file));
                List<Float> got = r.getList(1);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got.get(i), 1e-6f, file + "[" + i + "]");
                }
            }
        }
    }

    private Path start(String name, Path sparkHome, String mainClass, String... args) throws IOException {
        launch(name, sparkHome, mainClass, args);
        return WORK.resolve(name + ".log");
    }

    /** A JVM on this test's classpath with Spark's JVM options, its output in target/standalone/NAME.log. */
    private Process launch(String name, Path sparkHome, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + Path.of("jvm.options").toAbsolutePath());
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, sparkClasspath()));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(WORK.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");   // else Spark's launcher looks for a source build's folders
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_HOSTNAME", "localhost");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** This JVM's classpath without jclip's own classes: executors must get jclip from the job jar. */
    private static List<String> sparkClasspath() {
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.contains("dev" + File.separator + "jclip") && !e.contains(File.separator + "target" + File.separator)) {
                cp.add(e);
            }
        }
        return cp;
    }

    /** Workers start executors with SPARK_HOME/jars/* as their classpath: links to this classpath's jars. */
    private static Path fakeSparkHome() throws IOException {
        Path jars = Files.createDirectories(WORK.resolve("spark-home/jars"));
        for (String e : sparkClasspath()) {
            Path jar = Path.of(e);
            if (e.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
            }
        }
        return jars.getParent();
    }

    private static Path jobJar() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("jclip-spark-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no target/jclip-spark-*.jar: run after package"))
                    .toAbsolutePath();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitLog(Path log, String line) throws Exception {
        awaitCount(log, line, 1);
    }

    private static void awaitCount(Path log, String text, int count) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                String s = Files.readString(log);
                if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= count) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        fail("\"" + text + "\" did not appear " + count + " time(s) in " + log + " within " + STARTUP.toSeconds() + " s:\n"
                + (Files.exists(log) ? tail(Files.readString(log)) : "(no log)"));
    }

    private void stopAll() throws InterruptedException {
        for (Process p : started.reversed()) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        for (Process p : started) {
            assertTrue(!p.isAlive(), "a process the test started is still running: " + p.pid());
        }
    }

    private static String tail(String log) {
        return log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
