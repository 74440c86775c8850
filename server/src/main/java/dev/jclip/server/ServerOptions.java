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
 * @param bufferedBytes  memory for request bodies at once, all requests together, each body counted four
 *                       times for the copies parsing makes; a body that would go over is answered 503 (one
 *                       body of {@code maxBodyBytes} always fits)
 * @param maxPixels      larger images are refused with 400 before they are decoded
 * @param maxInputs      more texts or images in one request (or labels in one classification) are refused with 400
 * @param queueCapacity  requests that may be inside the inference path at once (decoding images, waiting for
 *                       or running on the model; a request enters once read and checked); one more is answered 503
 * @param readTimeout    a request body not received within this time is answered 408
 * @param shutdownGrace  how long a stop waits for in-flight requests
 * @param warmUp         run warm-up passes on made-up inputs at start, while no request waits, so that the
 *                       first request does not wait for the JIT ({@link dev.jclip.core.WarmUp}); not done on
 *                       the scalar kernels, where it does not help
 */
public record ServerOptions(String host, int port, String token, long maxBodyBytes, long bufferedBytes, long maxPixels,
                            int maxInputs, int queueCapacity, Duration readTimeout, Duration shutdownGrace, boolean warmUp) {
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
     * Four tenths of the heap for request bodies and their copies (each body is charged four times its
     * size, for the text, base64 and decoded copies parsing makes): under half the heap, leaving the
     * rest for the model's work and decoded images. With ./clip's 2 GB heap: 800 MB, forty 20 MB bodies.
     */
    public static long defaultBufferedBytes() {
        return Math.max(4 * DEFAULT_MAX_BODY_BYTES, Runtime.getRuntime().maxMemory() * 4 / 10);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_MAX_BODY_BYTES, defaultBufferedBytes(),
                DEFAULT_MAX_PIXELS, DEFAULT_MAX_INPUTS, DEFAULT_QUEUE_CAPACITY, Duration.ofSeconds(30), Duration.ofSeconds(30), true);
    }

    public ServerOptions withPort(int v) {
        return new ServerOptions(host, v, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withToken(String v) {
        return new ServerOptions(host, port, v, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withMaxBodyBytes(long v) {
        return new ServerOptions(host, port, token, v, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withBufferedBytes(long v) {
        return new ServerOptions(host, port, token, maxBodyBytes, v, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withMaxPixels(long v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, v, maxInputs, queueCapacity, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withMaxInputs(int v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, v, queueCapacity, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withQueueCapacity(int v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, v, readTimeout, shutdownGrace, warmUp);
    }

    public ServerOptions withReadTimeout(Duration v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, v, shutdownGrace, warmUp);
    }

    public ServerOptions withWarmUp(boolean v) {
        return new ServerOptions(host, port, token, maxBodyBytes, bufferedBytes, maxPixels, maxInputs, queueCapacity, readTimeout, shutdownGrace, v);
    }
}
