package dev.jclip.server;

import java.time.Duration;

/**
 * How {@code ./clip serve} listens and what it refuses.
 *
 * @param host           the address to bind; loopback unless the operator says otherwise
 * @param port           0 picks a free port
 * @param token          the bearer token every endpoint but {@code /healthz} and the page's static files
 *                       requires, or null for none
 * @param maxBodyBytes   larger request bodies are refused with 413
 * @param maxPixels      larger images are refused with 400 before they are decoded
 * @param maxInputs      more texts or images in one request (or labels in one classification) are refused with 400
 * @param queueCapacity  requests that may be inside the inference path at once; one more is answered 503
 * @param readTimeout    a request body not received within this time is answered 408
 * @param shutdownGrace  how long a stop waits for in-flight requests
 */
public record ServerOptions(String host, int port, String token, long maxBodyBytes, long maxPixels, int maxInputs,
                            int queueCapacity, Duration readTimeout, Duration shutdownGrace) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 20L << 20;
    /** 40 megapixels: any camera photo; a decoded image of this size is 120 MB. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final int DEFAULT_MAX_INPUTS = 64;
    public static final int DEFAULT_QUEUE_CAPACITY = 32;

    public ServerOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 0..65535");
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        if (maxBodyBytes <= 0 || maxPixels <= 0 || maxInputs <= 0 || queueCapacity <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (readTimeout.isNegative() || readTimeout.isZero() || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public static ServerOptions defaults() {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PIXELS,
                DEFAULT_MAX_INPUTS, DEFAULT_QUEUE_CAPACITY, Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, token, maxBodyBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withToken(String t) {
        return new ServerOptions(host, port, t, maxBodyBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withMaxBodyBytes(long b) {
        return new ServerOptions(host, port, token, b, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withMaxPixels(long px) {
        return new ServerOptions(host, port, token, maxBodyBytes, px, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withMaxInputs(int n) {
        return new ServerOptions(host, port, token, maxBodyBytes, maxPixels, n, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withQueueCapacity(int n) {
        return new ServerOptions(host, port, token, maxBodyBytes, maxPixels, maxInputs, n, readTimeout, shutdownGrace);
    }

    public ServerOptions withReadTimeout(Duration d) {
        return new ServerOptions(host, port, token, maxBodyBytes, maxPixels, maxInputs, queueCapacity, d, shutdownGrace);
    }

}
