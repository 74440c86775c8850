package dev.jclip.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Fetches one file of a Hub repository: {@code GET {endpoint}/{repo}/resolve/{revision}/{file}}.
 * A partial download is kept as {@code FILE.incomplete} and resumed with {@code Range}; the finished
 * file is checked against the size and, for LFS files, the sha256 the Hub reports on a HEAD request
 * ({@code X-Linked-Size}, {@code X-Linked-Etag}), and renamed into place only if both match.
 */
final class Downloader {
    private final HubOptions options;
    private final HttpClient http;
    private final HttpClient noRedirects;

    Downloader(HubOptions options) {
        this.options = options;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        this.noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30));
        if (options.token() != null) {
            b.header("Authorization", "Bearer " + options.token());
        }
        return b;
    }

    URI uri(String repo, String revision, String file) {
        return URI.create(options.endpoint() + "/" + repo + "/resolve/" + revision + "/" + file);
    }

    /** What the Hub says of a file before it is fetched, as huggingface_hub reads it: HEAD, no redirects. */
    private record Metadata(long size, String sha256) {
    }

    private Metadata head(URI uri) throws IOException {
        HttpResponse<Void> resp = send(noRedirects, request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        int status = resp.statusCode();
        if (status == 404) {
            return null;
        }
        checkAuth(uri, status);
        if (status >= 400) {
            throw new HubException(uri + ": HTTP " + status);
        }
        // LFS files (the weights) carry their size and sha256 in X-Linked-*; small files only a length.
        long size = header(resp, "X-Linked-Size").or(() -> header(resp, "Content-Length")).map(Long::parseLong).orElse(-1L);
        String sha = header(resp, "X-Linked-Etag").map(e -> e.replace("W/", "").replace("\"", "")).orElse(null);
        return new Metadata(size, sha);
    }

    /**
     * Downloads {@code file} into {@code dir}; returns false if the Hub has no such file (404), so
     * optional files can be tried. Other failures throw.
     */
    boolean fetch(String repo, String revision, String file, Path dir, DownloadProgress progress) throws IOException {
        URI uri = uri(repo, revision, file);
        Metadata meta = head(uri);
        if (meta == null) {
            return false;
        }
        Path target = dir.resolve(file);
        Path partial = dir.resolve(file + ".incomplete");
        Files.createDirectories(target.getParent());
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(partial);
            have = 0;
        }
        HttpRequest.Builder req = request(uri).GET();
        if (have > 0) {
            req.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> resp = send(http, req.build(), HttpResponse.BodyHandlers.ofInputStream());
        int status = resp.statusCode();
        try (InputStream in = resp.body()) {
            checkAuth(uri, status);
            boolean resuming = status == 206;
            if (status != 200 && !resuming && !(status == 416 && have == meta.size())) {
                throw new HubException(uri + ": HTTP " + status);
            }
            if (status != 416) {
                try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        resuming ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    long done = resuming ? have : 0;
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        done += n;
                        progress.update(file, done, meta.size());
                    }
                } catch (IOException cut) {
                    throw new HubException(uri + ": the transfer broke off (" + cut.getMessage() + "); run again to resume", cut);
                }
            }
        }
        verify(uri, partial, meta.size(), meta.sha256());
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private void checkAuth(URI uri, int status) {
        if (status == 401 || status == 403) {
            throw new HubException(uri + ": HTTP " + status + (options.token() == null
                    ? "; the repository may be gated or private: set HF_TOKEN" : "; HF_TOKEN was refused"));
        }
    }

    private static <T> HttpResponse<T> send(HttpClient client, HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A size or checksum mismatch deletes the partial file: it cannot be resumed into a good one. */
    private static void verify(URI uri, Path partial, long expectedSize, String sha256) throws IOException {
        long size = Files.size(partial);
        if (expectedSize >= 0 && size != expectedSize) {
            if (size > expectedSize) {
                Files.delete(partial);
            }
            throw new HubException(uri + ": got " + size + " of " + expectedSize + " bytes (connection cut?); run again to resume");
        }
        if (sha256 != null && sha256.length() == 64) {
            String actual = sha256(partial);
            if (!actual.equalsIgnoreCase(sha256)) {
                Files.delete(partial);
                throw new HubException(uri + ": sha256 " + actual + " does not match the Hub's " + sha256
                        + "; the download was corrupt and has been deleted");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> header(HttpResponse<?> resp, String name) {
        return resp.headers().firstValue(name);
    }
}
