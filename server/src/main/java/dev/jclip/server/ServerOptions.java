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
 * @param bufferedBytes  request bodies held in memory at once, all requests together; a body that would
 *                       go over is answered 503 (at least {@code maxBodyBytes} is always allowed)
 * @param maxPixels      larger images are refused with 400 before they are decoded
 * @param maxInputs      more texts or images in one request (or labels in one classification) are refused with 400
 * @param queueCapacity  requests that may be inside the inference path at once (decoding images, waiting for
 *                       or running on the model; a request enters once read and checked); one more is answered 503
 * @param readTimeout    a request body not received within this time is answered 408
 * @param shutdownGrace  how long a stop waits for in-flight requests
 */
public record ServerOptions(String host, int port, String token, long maxBodyBytes, long bufferedBytes, long maxPixels,
                            int maxInputs, int queueCapacity, Duration readTimeout, Duration shutdownGrace) {
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
        if (maxBodyBytes <= 0 || bufferedBytes <= 0 || maxPixels <= 0 || maxInputs <= 0 || queueCapacity <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (readTimeout.isNegative() || readTimeout.isZero() || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /**
     * A tenth of the heap for request bodies: a JSON body is held about four times over while it is
     * parsed (bytes, text, the base64 string, the decoded image), so this keeps them under half the heap.
     */
    public static long defaultBufferedBytes() {
        return Math.max(DEFAULT_MAX_BODY_BYTES, Runtime.getRuntime().maxMemory() / 10);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_MAX_BODY_BYTES, defaultBufferedBytes(),
                DEFAULT_MAX_PIXELS, DEFAULT_MAX_INPUTS, DEFAULT_QUEUE_CAPACITY, Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    public ServerOptions withPort(int v) {
        return new ServerOptions(host, v, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withToken(String v) {
        return new ServerOptions(host, port, v, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withMaxBodyBytes(long v) {
        return new ServerOptions(host, port, token, v, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withBufferedBytes(long v) {
        return new ServerOptions(host, port, token, maxBodyBytes, v, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withMaxPixels(long v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, v, maxInputs, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withMaxInputs(int v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, v, queueCapacity, readTimeout, shutdownGrace);
    }

    public ServerOptions withQueueCapacity(int v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, v, readTimeout, shutdownGrace);
    }

    public ServerOptions withReadTimeout(Duration v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, v, shutdownGrace);
    }
}
