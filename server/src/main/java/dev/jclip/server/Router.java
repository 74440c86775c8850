package dev.jclip.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.jclip.core.image.ImageDecodeException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every request passes here: host check, route, token, the endpoint (which asks for a place in the
 * inference path once it has read and checked the request), one error object for whatever went
 * wrong; then the metrics.
 */
final class Router implements HttpHandler {
    /**
     * One route. {@code pattern} ends in {@code {id}} for a path parameter. {@code open} routes need no
     * token.
     */
    record Route(String pattern, Set<String> methods, boolean open, Endpoint endpoint) {
        boolean matches(String path) {
            if (pattern.endsWith("{id}")) {
                String prefix = pattern.substring(0, pattern.length() - "{id}".length());
                return path.startsWith(prefix) && path.length() > prefix.length();
            }
            return path.equals(pattern);
        }
    }

    private final List<Route> routes;
    private final ServerOptions options;
    private final ScheduledExecutorService timers;
    private final BodyBudget budget;
    private final Metrics metrics;
    private final Admission admission;
    private final byte[] token;          // null: no token required
    private final boolean loopbackOnly;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    Router(List<Route> routes, ServerOptions options, ScheduledExecutorService timers, BodyBudget budget,
           Admission admission, Metrics metrics) {
        this.routes = routes;
        this.options = options;
        this.timers = timers;
        this.budget = budget;
        this.metrics = metrics;
        this.admission = admission;
        this.token = options.token() == null ? null : options.token().getBytes(StandardCharsets.UTF_8);
        this.loopbackOnly = isLoopback(options.host());
    }

    /** From now on every request is answered 503 at once: the server is stopping. */
    void stopping() {
        stopping = true;
    }

    /** Waits until no request is being handled, or {@code millis} have passed; true if none is. */
    boolean awaitIdle(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        synchronized (active) {
            while (active.get() > 0) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                active.wait(left);
            }
        }
        return true;
    }

    @Override
    public void handle(HttpExchange exchange) {
        active.incrementAndGet();
        HttpCall call = new HttpCall(exchange, options, timers, budget, admission);
        long t0 = System.nanoTime();
        String label = "other";
        try {
            checkHost(call);
            if (stopping) {
                throw ApiException.overloaded("the server is shutting down", 5);
            }
            String path = call.path();
            List<Route> matching = routes.stream().filter(r -> r.matches(path)).toList();
            if (matching.isEmpty()) {
                throw ApiException.notFound("no such endpoint: " + path);
            }
            Route route = matching.stream().filter(r -> r.methods().contains(call.method())).findFirst().orElseThrow(() ->
                    ApiException.methodNotAllowed(call.method(), String.join(", ",
                            matching.stream().flatMap(r -> r.methods().stream()).sorted().distinct().toList())));
            label = route.pattern();
            if (!route.open()) {
                checkToken(call);
            }
            route.endpoint().handle(call);
            if (!call.responded()) {
                throw new IllegalStateException("endpoint " + route.pattern() + " sent no response");
            }
        } catch (ApiException e) {
            call.error(e);
        } catch (ImageDecodeException e) {
            call.error(ApiException.invalidImage(e.getMessage()));
        } catch (IOException e) {
            call.abandon();   // the client went away (or was cut off after a 408)
        } catch (OutOfMemoryError e) {
            call.error(ApiException.overloaded("the server ran out of memory for this request; retry later or send less", 5));
        } catch (RuntimeException | Error e) {
            System.err.println("error: " + call.method() + " " + call.path() + ": " + e);
            call.error(ApiException.internal("internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "")));
        } finally {
            call.close();
            metrics.request(label, call.method(), call.loggedStatus(), System.nanoTime() - t0);
            active.decrementAndGet();
            synchronized (active) {
                active.notifyAll();
            }
        }
    }

    private void checkToken(HttpCall call) {
        if (token == null) {
            return;
        }
        String auth = call.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("this server requires Authorization: Bearer <token>");
        }
        byte[] given = auth.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {   // constant time: the comparison must not leak the token
            throw ApiException.unauthorized("wrong bearer token");
        }
    }

    /**
     * Bound to loopback, the server answers only requests addressed to a loopback name, so that a web
     * page elsewhere cannot reach it through a DNS name re-pointed at 127.0.0.1 (DNS rebinding).
     */
    private void checkHost(HttpCall call) {
        if (call.headerCount("Host") > 1) {
            // Two Host headers can mean two different servers to two parsers on the way (RFC 9112 3.2).
            throw ApiException.badRequest("the request has more than one Host header");
        }
        String host = call.header("Host");
        if (!loopbackOnly || host == null) {
            return;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d*$", "");
        if (!(name.equalsIgnoreCase("localhost") || name.equals(options.host()) || isLoopbackLiteral(name))) {
            throw new ApiException(421, "misdirected_request", "this server answers only to localhost, not to " + name, Map.of());
        }
    }

    private static boolean isLoopbackLiteral(String name) {
        String n = name.startsWith("[") ? name.substring(1, name.length() - 1) : name;
        if (!n.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;   // a name, not an address: never resolved here
        }
        return isLoopback(n);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
