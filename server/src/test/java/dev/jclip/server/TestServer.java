package dev.jclip.server;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.json.Json;
import dev.jclip.core.testing.Fixtures;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.DoublePredicate;

/**
 * A server on a free loopback port over the tiny fixture model and an index of the fixture images
 * (plus {@code escape.png}, a symbolic link to a file outside the indexed folder), and a client for it.
 * The model and index are made once per test JVM.
 */
final class TestServer implements AutoCloseable {
    static final Path WORK = Path.of("target", "server-test").toAbsolutePath();
    private static ClipModel model;
    private static ImageIndex index;

    final ClipServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();
    private String token;

    private TestServer(ClipServer server, String token) {
        this.server = server;
        this.token = token;
    }

    static synchronized ClipModel model() {
        if (model == null) {
            model = ClipModel.load(Converter.open(Fixtures.tiny("hf")));
        }
        return model;
    }

    static Path imagesDir() {
        return WORK.resolve("images");
    }

    static synchronized ImageIndex index() {
        if (index == null) {
            try {
                Path images = imagesDir();
                Path outside = WORK.resolve("outside");
                Files.createDirectories(images);
                Files.createDirectories(outside);
                for (Path p : Fixtures.images()) {
                    Files.copy(p, images.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                Files.copy(Fixtures.tiny("images/coffee.png"), outside.resolve("secret.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                // escape.png is indexed as an ordinary file, then swapped for a link out of the folder:
                // the index build skips such links, so this is how one reaches the server (a link
                // made after indexing), whose thumbnails must still refuse it.
                Path link = images.resolve("escape.png");
                Files.deleteIfExists(link);
                Files.copy(outside.resolve("secret.png"), link);
                Path file = WORK.resolve("images.idx");
                Files.deleteIfExists(file);
                ImageIndex.build(model(), "tiny", images, file, true, ImageIndex.Progress.NONE);
                Files.delete(link);
                Files.createSymbolicLink(link, outside.resolve("secret.png"));
                index = ImageIndex.open(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return index;
    }

    static ServerOptions options() {
        return ServerOptions.defaults().withPort(0);
    }

    static TestServer start(ServerOptions options) throws IOException {
        return new TestServer(ClipServer.start(model(), "clip-tiny", index(), null, options), options.token());
    }

    /** A server on the index in {@code indexFile}, which it serves anew when the file is replaced. */
    static TestServer startWithIndexFile(Path indexFile, ServerOptions options) throws IOException {
        return new TestServer(ClipServer.startWithIndexFile(model(), "clip-tiny", indexFile, null, options), options.token());
    }

    static TestServer startWithoutIndex(ServerOptions options) throws IOException {
        return new TestServer(ClipServer.start(model(), "clip-tiny", null, null, options), options.token());
    }

    int port() {
        return server.port();
    }

    /** Sends later requests with this bearer token (null: none). */
    TestServer token(String t) {
        this.token = t;
        return this;
    }

    record Reply(int status, HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Map<String, Object> json() {
            return Json.parseObject(text());
        }

        @SuppressWarnings("unchecked")
        String errorType() {
            return (String) ((Map<String, Object>) json().get("error")).get("type");
        }

        @SuppressWarnings("unchecked")
        String errorMessage() {
            return (String) ((Map<String, Object>) json().get("error")).get("message");
        }
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply post(String path, String contentType, byte[] body) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    Reply postJson(String path, Object json) {
        return post(path, "application/json", Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    /** A form field or file for {@link #multipart}. */
    record Field(String name, String filename, byte[] data) {
        static Field text(String name, String value) {
            return new Field(name, null, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    static final String BOUNDARY = "----jclip-test-boundary-7MA4YWxkTrZu0gW";

    static byte[] multipart(List<Field> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : fields) {
            String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + f.name() + "\""
                    + (f.filename() != null ? "; filename=\"" + f.filename() + "\"\r\nContent-Type: application/octet-stream" : "")
                    + "\r\n\r\n";
            out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(f.data());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    Reply postMultipart(String path, List<Field> fields) {
        return post(path, "multipart/form-data; boundary=" + BOUNDARY, multipart(fields));
    }

    /** Writes {@code request} on a fresh connection and returns everything the server sends back before closing it. */
    String raw(String request) throws IOException {
        return raw(port(), request);
    }

    static String raw(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Waits (up to 20 s) until the metric {@code name} of the server on {@code port} (one without a
     * token) satisfies {@code until}: how a test knows the server has reached a state, instead of
     * sleeping and hoping it has.
     */
    static void awaitMetric(int port, String name, DoublePredicate until, String state) throws Exception {
        String line = "";
        for (long end = System.nanoTime() + 20_000_000_000L; System.nanoTime() < end; Thread.sleep(10)) {
            String reply = raw(port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            line = reply.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElse("");
            if (!line.isEmpty() && until.test(Double.parseDouble(line.substring(name.length() + 1)))) {
                return;
            }
        }
        throw new AssertionError("the server did not reach the state '" + state + "' within 20 s; last: " + line);
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException e) {
            // a reset after the response was read: keep what arrived
        }
        return out.toByteArray();
    }

    static String base64(Path file) {
        try {
            return java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        http.close();
    }
}
