package dev.jclip.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.jclip.core.json.Json;
import dev.jclip.core.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request and its one response. The body is read under the size limit and a deadline: a body
 * that has not arrived by then is answered 408 from a timer while the reading thread is still
 * blocked; then the timer interrupts that thread, and as the socket channel is interruptible the
 * interrupt closes the connection and ends the read. (Closing the response instead would not do:
 * the JDK server first drains the request body, which blocks on the slow client.) Exactly one
 * response is sent, whoever sends it first.
 */
final class HttpCall {
    /** After an early answer (the body not read), how long and how much of the body is still read and dropped. */
    private static final long LINGER_MILLIS = 2000;

    private final HttpExchange exchange;
    private final ServerOptions options;
    private final ScheduledExecutorService timers;
    private final BodyBudget budget;
    private int heldKib;                // taken from the budget for this body
    private final Admission admission;
    private boolean admitted;           // holds a place in the inference path
    private final Thread handler = Thread.currentThread();   // the thread that reads the body
    private final Object responseLock = new Object();
    private int status;                 // 0 until a response is sent
    private volatile boolean bodyRead;  // the request body was read to its end
    private volatile boolean timedOut;
    private volatile boolean abandoned;
    private Map<String, List<String>> query;

    HttpCall(HttpExchange exchange, ServerOptions options, ScheduledExecutorService timers, BodyBudget budget,
             Admission admission) {
        this.exchange = exchange;
        this.options = options;
        this.timers = timers;
        this.budget = budget;
        this.admission = admission;
    }

    /**
     * Called by an endpoint once the request is read and checked, before it decodes images or asks the
     * model: from here on the request holds a place in the inference path until it ends (503 if none is free).
     */
    void admit() {
        if (!admitted) {
            admission.enter();
            admitted = true;
        }
    }

    String method() {
        return exchange.getRequestMethod();
    }

    /** The decoded path, without the query. */
    String path() {
        return exchange.getRequestURI().getPath();
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** How many times the request carries header {@code name}. */
    int headerCount(String name) {
        List<String> values = exchange.getRequestHeaders().get(name);
        return values == null ? 0 : values.size();
    }

    /** The media type of the body, lower case, without parameters ("" if none was given). */
    String mediaType() {
        String ct = header("Content-Type");
        if (ct == null) {
            return "";
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** A query parameter's last value, or null. */
    String queryParam(String name) {
        if (query == null) {
            query = new LinkedHashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            if (raw != null && !raw.isEmpty()) {
                for (String pair : raw.split("&")) {
                    int eq = pair.indexOf('=');
                    String k = eq < 0 ? pair : pair.substring(0, eq);
                    String v = eq < 0 ? "" : pair.substring(eq + 1);
                    try {
                        query.computeIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), x -> new ArrayList<>())
                                .add(URLDecoder.decode(v, StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest("malformed query string: " + e.getMessage());
                    }
                }
            }
        }
        List<String> values = query.get(name);
        return values == null ? null : values.getLast();
    }

    private boolean hasBody() {
        String te = header("Transfer-Encoding");
        String cl = header("Content-Length");
        return te != null || (cl != null && !cl.strip().equals("0"));
    }

    /** The body length the client declared in Content-Length, or -1 if it declared none; 400 if it is not a length. */
    private long declaredLength() {
        String cl = header("Content-Length");
        if (cl == null) {
            return -1;
        }
        long declared;
        try {
            declared = Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Content-Length '" + cl + "' is not a number");
        }
        if (declared < 0) {
            throw ApiException.badRequest("Content-Length " + declared + " is negative");
        }
        return declared;
    }

    /**
     * The whole request body: 413 over the limit, 408 if it does not arrive within the read timeout,
     * 503 if the bodies held in memory by all requests would go over the budget.
     */
    byte[] body() throws IOException {
        long limit = options.maxBodyBytes();
        long declared = declaredLength();
        if (declared >= 0) {
            if (declared > limit) {
                throw ApiException.tooLarge("request body of " + declared + " bytes exceeds the limit of " + limit + " bytes");
            }
            reserve(declared);
        }
        ScheduledFuture<?> deadline = timers.schedule(() -> Thread.startVirtualThread(this::readTimedOut),
                options.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // The stream is not closed here: closing drains it, and an early answer's linger reads it later.
        InputStream in = exchange.getRequestBody();
        try {
            if (declared >= 0) {
                // The size is known: read into one array of it, with no growing buffer to copy from.
                byte[] body = in.readNBytes((int) declared);
                if (body.length < declared) {
                    throw ApiException.badRequest("the request body ended after " + body.length + " of the "
                            + declared + " bytes its Content-Length announced");
                }
                bodyRead = true;
                return body;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
                if (total > limit) {
                    throw ApiException.tooLarge("request body exceeds the limit of " + limit + " bytes");
                }
                if (total > (long) heldKib * 1024) {
                    reserve(Math.min(limit, total + buf.length) - (long) heldKib * 1024);   // no Content-Length: as it comes
                }
                out.write(buf, 0, n);
            }
            bodyRead = true;
            return out.toByteArray();
        } catch (IOException e) {
            if (timedOut) {
                Thread.interrupted();   // the interrupt has done its job: the connection is closed
                throw timeoutError();
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private void reserve(long bytes) {
        int k = budget.tryTake(bytes);
        if (k < 0) {
            throw ApiException.overloaded("too many request bodies are being received at once; retry shortly", 1);
        }
        heldKib += k;
    }

    private ApiException timeoutError() {
        return ApiException.timeout("request body not received within " + options.readTimeout().toSeconds() + " s");
    }

    private void readTimedOut() {
        if (bodyRead) {
            return;
        }
        timedOut = true;
        error(timeoutError(), false);
        handler.interrupt();
    }

    /** The body as a JSON object; 415 unless the request says it is JSON, 400 if it is not. */
    Map<String, Object> json() throws IOException {
        if (!mediaType().equals("application/json")) {
            throw ApiException.unsupportedMediaType("send the request as Content-Type: application/json (got "
                    + (mediaType().isEmpty() ? "none" : mediaType()) + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the request body is not valid UTF-8");
        }
        try {
            return Json.parseObject(text);
        } catch (JsonException e) {
            throw ApiException.badRequest("the request body is not a JSON object: " + e.getMessage());
        }
    }

    /** The body as multipart/form-data parts; 415 for another media type. */
    List<Multipart.Part> multipart() throws IOException {
        if (!mediaType().equals("multipart/form-data")) {
            throw ApiException.unsupportedMediaType("expected multipart/form-data, got " + (mediaType().isEmpty() ? "none" : mediaType()));
        }
        return Multipart.parse(body(), header("Content-Type"));
    }

    boolean responded() {
        synchronized (responseLock) {
            return status != 0;
        }
    }

    /** The status sent, or 0 if none was. */
    int status() {
        synchronized (responseLock) {
            return status;
        }
    }

    void json(int code, Object value) throws IOException {
        respond(code, "application/json", Json.write(value).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Sends {@code e} as the error object, unless a response went out already. */
    void error(ApiException e) {
        error(e, true);
    }

    private void error(ApiException e, boolean linger) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("message", e.getMessage());
        inner.put("type", e.type);
        byte[] body = Json.write(Map.of("error", inner)).getBytes(StandardCharsets.UTF_8);
        try {
            respond(e.status, "application/json", body, e.headers, linger);
        } catch (IOException ignored) {
            // The client is gone; there is no one left to tell.
        }
    }

    void respond(int code, String contentType, byte[] body, Map<String, String> headers) throws IOException {
        respond(code, contentType, body, headers, true);
    }

    /**
     * Sends the response once. If the request body was not read (an early refusal), the connection is
     * closed afterwards, and before that the rest of the body is read and dropped for a moment, so
     * that a client still sending sees the answer instead of a reset connection.
     */
    private void respond(int code, String contentType, byte[] body, Map<String, String> headers, boolean linger)
            throws IOException {
        synchronized (responseLock) {
            if (status != 0) {
                return;
            }
            status = code;
            Headers h = exchange.getResponseHeaders();
            h.set("Content-Type", contentType.startsWith("application/json") || contentType.startsWith("text/")
                    ? contentType + "; charset=utf-8" : contentType);
            h.set("X-Content-Type-Options", "nosniff");
            headers.forEach(h::set);
            boolean unread = !bodyRead && hasBody();
            if (unread) {
                h.set("Connection", "close");
            }
            exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
            OutputStream os = exchange.getResponseBody();
            os.write(body);
            os.flush();
            if (!linger) {
                return;   // the 408 from the timer: the handler thread, interrupted next, closes the exchange
            }
            if (unread) {
                drainBriefly();
            }
            os.close();
        }
    }

    /**
     * Reads and drops what the client still sends, for at most LINGER_MILLIS and at most the length it
     * declared (one body limit's worth if it declared none). Leaving bytes unread would make the close
     * a reset, which can reach the client before it has read the answer.
     */
    private void drainBriefly() {
        // Runs on the handler thread; the timer's interrupt closes the connection if the client keeps sending.
        AtomicBoolean lingering = new AtomicBoolean(true);
        ScheduledFuture<?> stop = timers.schedule(() -> {
            if (lingering.get()) {
                handler.interrupt();
            }
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        try {
            InputStream in = exchange.getRequestBody();
            byte[] buf = new byte[64 * 1024];
            long declared;
            try {
                declared = declaredLength();
            } catch (ApiException malformed) {
                declared = -1;   // the JDK server refuses such requests before they get here
            }
            long left = declared >= 0 ? declared : options.maxBodyBytes();
            for (int n; left > 0 && (n = in.read(buf)) >= 0; ) {
                left -= n;
            }
        } catch (IOException ignored) {
            // the client went away, or the timer closed the connection
        } finally {
            lingering.set(false);
            stop.cancel(false);
            Thread.interrupted();
        }
    }

    /**
     * After the client went away mid-request: answers anyway if nothing was sent. Usually no one reads
     * it, but the JDK server counts an exchange as finished only once a response has been written,
     * and a stop waits for every unfinished exchange.
     */
    void abandon() {
        synchronized (responseLock) {
            if (status != 0) {
                return;   // answered already (a 408 cut the connection)
            }
            abandoned = true;
        }
        error(ApiException.badRequest("the request was not received completely"), false);
    }

    /** The status for the metrics: 499 when the client went away first. */
    int loggedStatus() {
        synchronized (responseLock) {
            return abandoned || status == 0 ? 499 : status;
        }
    }

    /**
     * Ends the exchange (waiting for a response being written by the timer), gives back the body's
     * budget and the place in the inference path.
     */
    void close() {
        budget.give(heldKib);
        heldKib = 0;
        if (admitted) {
            admission.leave();
            admitted = false;
        }
        synchronized (responseLock) {
            if (status != 0) {
                try {
                    // Still open after a 408 whose connection the interrupt closed: closing it now (the
                    // drain fails at once on the closed channel) lets the server count the exchange finished.
                    exchange.getResponseBody().close();
                } catch (IOException ignored) {
                    // the connection is gone
                }
            }
            exchange.close();
        }
    }
}
