package dev.jclip.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slow clients get 408, and a full inference queue answers 503 with Retry-After instead of growing. */
class LimitsTest {
    private static final String BODY = "{\"input\": [\"a photo of a cat\", \"a rocket\"]}";

    private static Socket partialUpload(TestServer s, int sendBytes) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.port());
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + BODY.length() + "\r\n\r\n" + BODY.substring(0, sendBytes)).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408() throws Exception {
        try (TestServer s = TestServer.start(TestServer.options().withReadTimeout(Duration.ofSeconds(1)))) {
            try (Socket socket = partialUpload(s, 10)) {
                String reply = new String(TestServer.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
                assertTrue(reply.startsWith("HTTP/1.1 408"), reply);
                assertTrue(reply.contains("request_timeout"), reply);
            }
            // A client that trickles a byte at a time is as slow as one that stops.
            try (Socket socket = partialUpload(s, 1)) {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                try {
                    for (int i = 1; i < BODY.length() && in.available() == 0; i++) {
                        out.write(BODY.charAt(i));
                        out.flush();
                        Thread.sleep(150);
                    }
                } catch (IOException closedByServer) {
                    // the server answered and closed while we were still sending
                }
                String reply = new String(TestServer.readAll(in), StandardCharsets.ISO_8859_1);
                assertTrue(reply.startsWith("HTTP/1.1 408"), reply);
            }
            assertEquals(200, s.postJson("/v1/embeddings", Map.of("input", "still serving")).status());
        }
    }

    @Test
    void aFullQueueIs503WithRetryAfterAndRecovers() throws Exception {
        try (TestServer s = TestServer.start(TestServer.options().withQueueCapacity(1))) {
            // An upload in progress and a malformed request take no place: they are not in the inference path yet.
            try (Socket slow = partialUpload(s, 10)) {
                TestServer.awaitMetric(s.port(), "clip_request_body_bytes_buffered", v -> v > 0, "the upload is being read");
                assertEquals(200, s.postJson("/v1/embeddings", Map.of("input", "a cat")).status(), "a slow upload holds no place");
                assertEquals(400, s.post("/v1/embeddings", "application/json", "{\"input\": [".getBytes(StandardCharsets.UTF_8)).status());
            }
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<TestServer.Reply> waiting;
                try (AutoCloseable held = s.server.queue().hold()) {
                    // A request waiting for the model holds the one place.
                    waiting = clients.submit(() -> s.postJson("/v1/embeddings", Map.of("input", "a dog")));
                    TestServer.awaitMetric(s.port(), "clip_inference_queue_depth", v -> v == 1, "a request waits in the queue");
                    TestServer.Reply refused = s.postJson("/v1/embeddings", Map.of("input", "a cat"));
                    assertEquals(503, refused.status(), refused.text());
                    assertEquals("overloaded", refused.errorType());
                    assertTrue(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
                    assertEquals(400, s.postJson("/v1/embeddings", Map.of("input", List.of())).status(),
                            "a request refused for what it is gets its 4xx even when the queue is full");
                    assertEquals(200, s.get("/healthz").status(), "endpoints outside the inference path still answer");
                    assertTrue(s.get("/metrics").text().contains("clip_inference_requests_in_flight 1.0\n"), "one request holds the one place");
                }
                assertEquals(200, waiting.get().status(), "the waiting request is served once the model runs");
            }
            TestServer.awaitMetric(s.port(), "clip_inference_requests_in_flight", v -> v == 0, "the place is given back");
            TestServer.Reply again = s.postJson("/v1/embeddings", Map.of("input", "a cat"));
            assertEquals(200, again.status(), again.text());
        }
    }

    @Test
    void bodiesBeyondTheMemoryBudgetAre503() throws Exception {
        // Room for 4 MB of bodies and their copies (one 1 MB body, charged four times); one client is
        // sending 1 MB, slowly. A valid 600 kB body:
        byte[] padded = ("{\"input\": \"a cat\"" + " ".repeat(600_000) + "}").getBytes(StandardCharsets.UTF_8);
        try (TestServer s = TestServer.start(TestServer.options().withMaxBodyBytes(1 << 20).withBufferedBytes(3 << 19))) {
            try (Socket slow = new Socket("127.0.0.1", s.port())) {
                slow.getOutputStream().write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000\r\n\r\n{\"input\": \"").getBytes(StandardCharsets.ISO_8859_1));
                slow.getOutputStream().flush();
                // The slow body is charged four times its 1,000,000 bytes (its copies while parsed), in KiB.
                TestServer.awaitMetric(s.port(), "clip_request_body_bytes_buffered", v -> v == 3907 * 1024, "the slow body's KiB are held");
                TestServer.Reply refused = s.post("/v1/embeddings", "application/json", padded);
                assertEquals(503, refused.status(), refused.text());
                assertTrue(refused.headers().firstValue("Retry-After").isPresent());
                assertEquals(200, s.postJson("/v1/embeddings", Map.of("input", "a small one still fits")).status());
            }
            // The slow client hung up: its share is given back.
            TestServer.awaitMetric(s.port(), "clip_request_body_bytes_buffered", v -> v == 0, "the hung-up body's room is free");
            TestServer.Reply again = s.post("/v1/embeddings", "application/json", padded);
            assertEquals(200, again.status(), again.text());
        }
    }

    @Test
    void bodiesAreChargedForTheCopiesParsingMakes() throws Exception {
        // 8 MB of room, 900 kB bodies: two slow ones take 2 × 3.6 MB; a third body of 600 kB (2.4 MB with its
        // copies) no longer fits, where counting raw bytes (2.4 MB in all) would have taken it.
        byte[] padded = ("{\"input\": \"a cat\"" + " ".repeat(600_000) + "}").getBytes(StandardCharsets.UTF_8);
        try (TestServer s = TestServer.start(TestServer.options().withMaxBodyBytes(1 << 20).withBufferedBytes(8 << 20))) {
            try (Socket a = new Socket("127.0.0.1", s.port()); Socket b = new Socket("127.0.0.1", s.port())) {
                for (Socket slow : List.of(a, b)) {
                    slow.getOutputStream().write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 900000\r\n\r\n{\"input\": \"").getBytes(StandardCharsets.ISO_8859_1));
                    slow.getOutputStream().flush();
                }
                TestServer.awaitMetric(s.port(), "clip_request_body_bytes_buffered", v -> v == 2 * 3516 * 1024, "both slow bodies are charged");
                TestServer.Reply refused = s.post("/v1/embeddings", "application/json", padded);
                assertEquals(503, refused.status(), refused.text());
            }
            TestServer.awaitMetric(s.port(), "clip_request_body_bytes_buffered", v -> v == 0, "the hung-up bodies' room is free");
            assertEquals(200, s.post("/v1/embeddings", "application/json", padded).status());
        }
    }
}
