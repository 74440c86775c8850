package dev.jclip.server;

import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many clients at once on loopback, bounded in count and time: first well-behaved ones (every request
 * must succeed), then well-behaved and misbehaving ones together (each bad request gets its 4xx, the
 * good ones keep succeeding, the server stays up and lets go of everything it held).
 */
class LoadTest {
    private static final int CLIENTS = 16;
    private static final int REQUESTS = 500;
    /** The server's heap after the run and a full GC, the tiny model and index included. */
    private static final long HEAP_BOUND_BYTES = 256L << 20;

    private record Kind(String name, Supplier<HttpRequest> request) {
    }

    private record Outcome(String kind, int status, long nanos) {
    }

    /** One of each request the page and API clients make, all valid. */
    private static List<Kind> goodKinds(TestServer s) throws IOException {
        String cat = TestServer.base64(Fixtures.tiny("images/chelsea.png"));
        byte[] rocket = Files.readAllBytes(Fixtures.tiny("images/rocket.jpg"));
        String json = "application/json";
        List<Integer> thumbnailIds = new ArrayList<>();   // all but escape.png, a link out of the folder (404 by design)
        for (int id = 0; id < TestServer.index().size(); id++) {
            if (!TestServer.index().path(id).equals("escape.png")) {
                thumbnailIds.add(id);
            }
        }
        return List.of(
                new Kind("embed texts", () -> s.request("/v1/embeddings").header("Content-Type", json).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"input\": [\"a photo of a cat\", \"a diagram\", \"a rocket at night\"], \"model\": \"clip\"}")).build()),
                new Kind("embed image", () -> s.request("/v1/embeddings").header("Content-Type", json).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"input\": [{\"image\": \"" + cat + "\"}], \"encoding_format\": \"base64\"}")).build()),
                new Kind("classify json", () -> s.request("/v1/classify").header("Content-Type", json).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"image\": \"" + cat + "\", \"labels\": [\"cat\", \"dog\", \"rocket\"]}")).build()),
                new Kind("classify upload", () -> s.request("/v1/classify").header("Content-Type", "multipart/form-data; boundary=" + TestServer.BOUNDARY)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(TestServer.multipart(List.of(new TestServer.Field("image", "r.jpg", rocket),
                                TestServer.Field.text("labels", "rocket,coffee,astronaut"), TestServer.Field.text("templates", "none"))))).build()),
                new Kind("search text", () -> s.request("/v1/search?q=a%20cup%20of%20coffee&k=4").GET().build()),
                new Kind("search image", () -> s.request("/v1/search").header("Content-Type", json).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"image\": \"" + cat + "\", \"k\": 3}")).build()),
                new Kind("thumbnail", () -> s.request("/v1/images/" + thumbnailIds.get((int) (Math.random() * thumbnailIds.size()))).GET().build()),
                new Kind("healthz", () -> s.request("/healthz").GET().build()),
                new Kind("metrics", () -> s.request("/metrics").GET().build()));
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    @Test
    @Timeout(180)
    void sixteenClientsFiveHundredMixedRequests() throws Exception {
        try (TestServer s = TestServer.start(TestServer.options())) {
            List<Kind> kinds = goodKinds(s);
            ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                for (int c = 0; c < CLIENTS; c++) {
                    clients.submit(() -> {
                        for (int i; (i = next.getAndIncrement()) < REQUESTS; ) {
                            Kind k = kinds.get(i % kinds.size());
                            long start = System.nanoTime();
                            int status;
                            try {
                                status = s.send(k.request().get()).status();
                            } catch (RuntimeException e) {
                                status = -1;
                            }
                            outcomes.add(new Outcome(k.name(), status, System.nanoTime() - start));
                        }
                    });
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Outcome> all = new ArrayList<>(outcomes);
            List<Outcome> failed = all.stream().filter(o -> o.status() != 200).toList();
            List<Long> latencies = new ArrayList<>(all.stream().map(Outcome::nanos).toList());
            Collections.sort(latencies);
            System.out.printf("load: %d requests from %d clients in %.2f s: %.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d failed%n",
                    all.size(), CLIENTS, seconds, all.size() / seconds, percentile(latencies, 0.50) / 1e6,
                    percentile(latencies, 0.99) / 1e6, failed.size());
            String images = s.get("/metrics").text().lines().filter(l -> l.startsWith("clip_images_embedded_total ")).findFirst().orElseThrow();
            System.out.printf("load: %s (%.0f images/s)%n", images, Long.parseLong(images.split(" ")[1]) / seconds);
            assertEquals(REQUESTS, all.size());
            assertEquals(List.of(), failed, "every request succeeds");

            long heap = heapAfterGc();
            System.out.printf("load: heap after the run and a full GC: %d MB (bound %d MB)%n", heap >> 20, HEAP_BOUND_BYTES >> 20);
            assertTrue(heap < HEAP_BOUND_BYTES, "heap " + (heap >> 20) + " MB");
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---------------------------------------------------------------------------------------------

    /** Sends raw bytes, optionally stops early and hangs up; returns the status line's code, or 0 if none came. */
    private static int raw(TestServer s, String request, boolean hangUp) {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (hangUp) {
                return 0;
            }
            String reply = new String(TestServer.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            return reply.startsWith("HTTP/1.1 ") ? Integer.parseInt(reply.substring(9, 12)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static int send(TestServer s, HttpRequest r) {
        try {
            return s.send(r).status();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Test
    @Timeout(180)
    void misbehavingClientsGetTheir4xxWhileGoodOnesSucceed() throws Exception {
        long limit = 1 << 20;   // above the good requests' largest body (a base64 PNG of 400 KB)
        try (TestServer s = TestServer.start(TestServer.options().withMaxBodyBytes(limit).withReadTimeout(Duration.ofSeconds(2)))) {
            List<Kind> good = goodKinds(s);
            String json = "application/json";
            String head = "POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
            byte[] big = new byte[(int) limit + 1000];
            java.util.Arrays.fill(big, (byte) 'x');
            record Bad(String name, int expected, int times, Supplier<Integer> call) {
            }
            List<Bad> bad = List.of(
                    new Bad("disconnect mid-upload", 0, 20, () -> raw(s, head + "Content-Length: 100000\r\n\r\n{\"input\": \"" + "y".repeat(5000), true)),
                    new Bad("malformed JSON", 400, 20, () -> send(s, s.request("/v1/embeddings").header("Content-Type", json)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"input\": [\"a\",")).build())),
                    new Bad("JSON that is not an object", 400, 10, () -> send(s, s.request("/v1/classify").header("Content-Type", json)
                            .POST(HttpRequest.BodyPublishers.ofString("\"cat\"")).build())),
                    new Bad("wrong content type", 415, 20, () -> send(s, s.request("/v1/embeddings").header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"input\": \"a\"}")).build())),
                    new Bad("no content type", 415, 10, () -> raw(s, head.replace("Content-Type: application/json\r\n", "")
                            + "Content-Length: 14\r\nConnection: close\r\n\r\n{\"input\": \"a\"}", false)),
                    new Bad("oversized body", 413, 10, () -> send(s, s.request("/v1/embeddings").header("Content-Type", json)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build())),
                    new Bad("oversized chunked body", 413, 10, () -> raw(s, head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                            + ("10000\r\n" + "z".repeat(0x10000) + "\r\n").repeat(20) + "0\r\n\r\n", false)),
                    new Bad("slow body", 408, 4, () -> raw(s, head + "Content-Length: 500\r\n\r\n{\"input\": ", false)),
                    new Bad("not an image", 400, 10, () -> send(s, s.request("/v1/embeddings").header("Content-Type", json)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"input\": [{\"image\": \"aGVsbG8=\"}]}")).build())),
                    new Bad("multipart without boundary", 400, 10, () -> send(s, s.request("/v1/classify").header("Content-Type", "multipart/form-data")
                            .POST(HttpRequest.BodyPublishers.ofString("--x\r\n")).build())),
                    new Bad("garbage request line", 400, 10, () -> raw(s, "HELLO THERE\r\n\r\n", false)));

            ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            AtomicInteger next = new AtomicInteger();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    running.add(clients.submit(() -> {
                        for (int i; (i = next.getAndIncrement()) < 200; ) {
                            Kind k = good.get(i % good.size());
                            outcomes.add(new Outcome("good: " + k.name(), send(s, k.request().get()), 0));
                        }
                    }));
                }
                for (Bad b : bad) {
                    for (int i = 0; i < b.times(); i++) {
                        running.add(clients.submit(() -> outcomes.add(new Outcome(b.name(), b.call().get(), 0))));
                    }
                }
                for (Future<?> f : running) {
                    f.get();
                }
            }
            Map<String, Integer> expected = new TreeMap<>();
            for (Bad b : bad) {
                expected.put(b.name(), b.expected());
            }
            Map<String, List<Integer>> byKind = new TreeMap<>();
            for (Outcome o : outcomes) {
                byKind.computeIfAbsent(o.kind(), k -> new ArrayList<>()).add(o.status());
            }
            byKind.forEach((kind, statuses) -> System.out.printf("abuse: %-28s %3d × %s%n", kind, statuses.size(),
                    new TreeMap<>(statuses.stream().collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting())))));
            byKind.forEach((kind, statuses) -> {
                int want = kind.startsWith("good: ") ? 200 : expected.get(kind);
                for (int st : statuses) {
                    assertEquals(want, st, kind);
                }
            });
            assertEquals(200, s.get("/healthz").status(), "the server is still up");
            assertEquals(200, s.postJson("/v1/embeddings", Map.of("input", "after the storm")).status());
            // Everything the misbehaving clients held is let go: nothing left in the inference path.
            TestServer.awaitMetric(s.port(), "clip_inference_requests_in_flight", v -> v == 0, "no request left in the inference path");
            TestServer.awaitMetric(s.port(), "clip_request_body_bytes_buffered", v -> v == 0, "no request body left in memory");
            String metrics = s.get("/metrics").text();
            assertTrue(metrics.contains("clip_http_requests_total{route=\"/v1/embeddings\",method=\"POST\",code=\"499\"} 20\n"),
                    "the hang-ups are counted as such:\n" + metrics);
            assertTrue(metrics.contains("clip_http_requests_total{route=\"/v1/embeddings\",method=\"POST\",code=\"408\"} 4\n"), metrics);
        }
    }
}
