package dev.jclip.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for the Hub's file API: {@code /{org}/{name}/resolve/{revision}/{file}} served
 * from a local folder, with HEAD metadata as the Hub sends it (LFS files: X-Linked-Size and the
 * sha256 in X-Linked-Etag), Range requests, and faults on demand.
 */
final class FakeHub implements AutoCloseable {
    /** One request as the server saw it. */
    record Request(String method, String path, String range, String authorization) {
    }

    private final HttpServer server;
    private final Path folder;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Bytes of model.safetensors to send before cutting the connection, on the next GETs (then reset). */
    final AtomicInteger cutModelAfter = new AtomicInteger(-1);
    volatile boolean corruptModel;
    volatile String requiredToken;

    FakeHub(Path folder) throws IOException {
        this.folder = folder;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
            if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            String[] parts = path.split("/", 6);   // "", org, name, "resolve", revision, file
            Path file = parts.length == 6 && parts[3].equals("resolve") ? folder.resolve(parts[5]) : null;
            if (file == null || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            boolean lfs = parts[5].endsWith(".safetensors");
            if (lfs) {
                ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(bytes.length));
                ex.getResponseHeaders().add("X-Linked-Etag", "\"" + Downloader.sha256(file) + "\"");
            }
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Content-Length", String.valueOf(bytes.length));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            if (lfs && corruptModel) {
                bytes = bytes.clone();
                bytes[bytes.length / 2] ^= 0x55;
            }
            int from = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                if (from >= bytes.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
                ex.sendResponseHeaders(206, bytes.length - from);
            } else {
                ex.sendResponseHeaders(200, bytes.length);
            }
            OutputStream out = ex.getResponseBody();
            int cut = lfs ? cutModelAfter.getAndSet(-1) : -1;
            if (cut >= 0) {
                out.write(bytes, from, cut);
                out.flush();
                throw new IOException("cut on purpose");   // the server drops the connection mid-body
            }
            out.write(bytes, from, bytes.length - from);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
