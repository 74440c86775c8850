package dev.jclip.server;

import com.sun.net.httpserver.HttpServer;
import dev.jclip.core.ClipModel;
import dev.jclip.core.WarmUp;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.lucene.IndexSearch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CLIP over HTTP on the JDK's own server: one virtual thread per request, one inference queue in
 * front of the model, the search page at {@code /}. See {@link ServerOptions} for the limits.
 *
 * <pre>{@code
 * try (ClipServer server = ClipServer.start(clip, "my-model", index, null, ServerOptions.defaults())) {
 *     server.awaitStop();
 * }
 * }</pre>
 */
public final class ClipServer implements AutoCloseable {
    private final HttpServer http;
    private final InferenceQueue queue;
    private final ScheduledExecutorService timers;
    private final ExecutorService connections;
    private final ServerOptions options;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private final Router router;
    private final IndexHolder index;
    private final ImageInputs images;

    private ClipServer(HttpServer http, Router router, InferenceQueue queue, ScheduledExecutorService timers,
                       ExecutorService connections, ServerOptions options, IndexHolder index, ImageInputs images) {
        this.index = index;
        this.images = images;
        this.http = http;
        this.router = router;
        this.queue = queue;
        this.timers = timers;
        this.connections = connections;
        this.options = options;
    }

    /**
     * Starts serving {@code clip}. {@code index} (may be null) must have been built with this model;
     * its images are read from {@code imagesDir}, or when that is null from the folder the index records.
     * The caller keeps ownership of the model and the index and closes them after the server.
     */
    public static ClipServer start(ClipModel clip, String modelName, ImageIndex index, Path imagesDir,
                                   ServerOptions options) throws IOException {
        return start(clip, modelName, IndexHolder.fixed(index), imagesDir, options);
    }

    /**
     * As {@link #start(ClipModel, String, ImageIndex, Path, ServerOptions)}, serving the index in
     * {@code indexFile} and serving it anew whenever {@code ./clip index} rebuilds it; the server
     * closes that index when it closes.
     */
    public static ClipServer startWithIndexFile(ClipModel clip, String modelName, Path indexFile, Path imagesDir,
                                   ServerOptions options) throws IOException {
        IndexHolder holder = IndexHolder.watching(indexFile, clip);
        try {
            return start(clip, modelName, holder, imagesDir, options);
        } catch (IOException | RuntimeException e) {
            holder.close();
            throw e;
        }
    }

    private static ClipServer start(ClipModel clip, String modelName, IndexHolder index, Path imagesDir,
                                    ServerOptions options) throws IOException {
        configureJdkServer(options);
        Metrics metrics = new Metrics();
        ImageInputs images = new ImageInputs(clip, options.maxPixels());
        Thumbnails thumbnails = null;
        ImageIndex first = index.current();
        if (first != null) {
            first.checkModel(clip);
            Path dir = imagesDir != null ? imagesDir : first.imagesDir();
            if (dir != null) {
                if (!Files.isDirectory(dir)) {
                    throw new IOException("the indexed images' folder " + dir + " is not there; give it with --images DIR");
                }
                thumbnails = new Thumbnails(index, dir, images);
            }
        }
        InferenceQueue queue = new InferenceQueue(clip, metrics).start(options.warmUp() && WarmUp.pays(clip));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "clip-server-timer");
            t.setDaemon(true);
            return t;
        });
        ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 256);
        } catch (IOException e) {
            queue.close();
            timers.shutdownNow();
            images.close();
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        BodyBudget budget = BodyBudget.of(options.bufferedBytes(), options.maxBodyBytes());
        Admission admission = new Admission(options.queueCapacity());
        Router router = new Router(routes(clip, modelName, index, thumbnails, queue, images, metrics, options),
                options, timers, budget, admission, metrics);
        metrics.gauges(queue::depth, queue::waitingInputs, admission::inFlight, budget::bytesInUse);
        http.createContext("/", router);
        http.setExecutor(connections);
        http.start();
        return new ClipServer(http, router, queue, timers, connections, options, index, images);
    }

    /** The table of routes: pattern, methods, open (no token), endpoint. */
    private static List<Router.Route> routes(ClipModel clip, String modelName, IndexHolder index, Thumbnails thumbnails,
                                             InferenceQueue queue, ImageInputs images, Metrics metrics, ServerOptions options) {
        Set<String> get = Set.of("GET");
        Set<String> post = Set.of("POST");
        List<Router.Route> routes = new ArrayList<>();
        StaticFiles page = new StaticFiles();
        for (String p : StaticFiles.paths()) {
            routes.add(new Router.Route(p, get, true, page));
        }
        routes.add(new Router.Route("/healthz", get, true, call -> health(call, clip, modelName, index, queue)));
        routes.add(new Router.Route("/metrics", get, false, call -> call.respond(200, "text/plain; version=0.0.4",
                metrics.prometheus().getBytes(StandardCharsets.UTF_8), Map.of())));
        routes.add(new Router.Route("/v1/embeddings", post, false,
                new EmbeddingsApi(clip, modelName, queue, images, options.maxInputs())));
        routes.add(new Router.Route("/v1/classify", post, false, new ClassifyApi(clip, modelName, queue, images,
                new LabelEmbeddings(queue, clip.embedDim()), options.maxInputs())));
        routes.add(new Router.Route("/v1/search", Set.of("GET", "POST"), false,
                new SearchApi(clip, modelName, index, queue, images)));
        routes.add(new Router.Route(ImagesApi.PREFIX + "{id}", get, false, new ImagesApi(thumbnails)));
        return List.copyOf(routes);
    }

    /**
     * The JDK server's own timeouts are JVM-wide system properties, read once: a request whose headers
     * and body take more than twice the read timeout is cut off (the body's own deadline answers 408
     * first), and so is a response the client does not read within ten minutes.
     */
    private static void configureJdkServer(ServerOptions options) {
        setIfAbsent("sun.net.httpserver.maxReqTime", Long.toString(Math.max(2, 2 * options.readTimeout().toSeconds())));
        setIfAbsent("sun.net.httpserver.maxRspTime", "600");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static void health(HttpCall call, ClipModel clip, String modelName, IndexHolder holder, InferenceQueue queue)
            throws IOException {
        IndexSearch index = holder.currentSearch();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", "ok");   // while stopping, the router answers 503 before this
        h.put("model", modelName);
        h.put("embedding_dim", clip.embedDim());
        h.put("images_indexed", index == null ? 0 : index.flat().size());
        // "current": searches go through the Lucene graph; "stale": it is out of date and unused; "absent"
        h.put("index_graph", index == null ? "absent" : index.graphState().name().toLowerCase(Locale.ROOT));
        // "running", then "done", or "stopped" when requests came first (they warm the kernels too);
        // "off" (not asked for, or the scalar kernels, which it does not help); "failed"
        h.put("warm_up", queue.warmUpState().name().toLowerCase(Locale.ROOT));
        if (queue.warmUpError() != null) {
            h.put("warm_up_error", queue.warmUpError());
        }
        call.json(200, h);
    }

    InferenceQueue queue() {
        return queue;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops listening, lets the requests in flight finish (up to the shutdown grace), then stops the
     * inference queue. Safe to call more than once and from a shutdown hook.
     */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            // HttpServer.stop closes the listener at once, then waits for the exchanges it counts as
            // unfinished. It counts one that lost its client mid-request as unfinished until the grace
            // runs out, so the wait that matters is for our own handlers; stop runs beside it.
            Thread stopper = Thread.ofPlatform().daemon(true).name("clip-server-stop")
                    .start(() -> http.stop((int) Math.max(1, options.shutdownGrace().toSeconds())));
            router.stopping();   // requests still arriving on open connections get 503
            router.awaitIdle(options.shutdownGrace().toMillis());
            queue.close();
            stopper.join(2000);
            timers.shutdownNow();
            connections.shutdown();
            images.close();
            index.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }
}
