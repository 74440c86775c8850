package dev.jclip.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

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
            // An upload in progress holds the one place in the inference path.
            try (Socket slow = partialUpload(s, 10)) {
                Thread.sleep(200);
                TestServer.Reply refused = s.postJson("/v1/embeddings", Map.of("input", "a cat"));
                assertEquals(503, refused.status(), refused.text());
                assertEquals("overloaded", refused.errorType());
                assertTrue(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
                assertEquals(200, s.get("/healthz").status(), "endpoints outside the inference path still answer");

                OutputStream out = slow.getOutputStream();
                out.write(BODY.substring(10).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                byte[] head = new byte[12];
                assertEquals(12, slow.getInputStream().readNBytes(head, 0, 12));
                assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.ISO_8859_1));
            }
            TestServer.Reply again = null;
            for (int i = 0; i < 50 && (again == null || again.status() == 503); i++) {
                again = s.postJson("/v1/embeddings", Map.of("input", "a cat"));
                Thread.sleep(20);
            }
            assertEquals(200, again.status(), again.text());
        }
    }

    @Test
    void bodiesBeyondTheMemoryBudgetAre503() throws Exception {
        // Room for 1.5 MB of bodies at once; one client is sending 1 MB, slowly. A valid 600 kB body:
        byte[] padded = ("{\"input\": \"a cat\"" + " ".repeat(600_000) + "}").getBytes(StandardCharsets.UTF_8);
        try (TestServer s = TestServer.start(TestServer.options().withMaxBodyBytes(1 << 20).withBufferedBytes(3 << 19))) {
            try (Socket slow = new Socket("127.0.0.1", s.port())) {
                slow.getOutputStream().write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000\r\n\r\n{\"input\": \"").getBytes(StandardCharsets.ISO_8859_1));
                slow.getOutputStream().flush();
                Thread.sleep(200);
                TestServer.Reply refused = s.post("/v1/embeddings", "application/json", padded);
                assertEquals(503, refused.status(), refused.text());
                assertTrue(refused.headers().firstValue("Retry-After").isPresent());
                assertTrue(s.get("/metrics").text().contains("clip_request_body_bytes_buffered 1000448"), "the slow body's KiB are held");
                assertEquals(200, s.postJson("/v1/embeddings", Map.of("input", "a small one still fits")).status());
            }
            // The slow client hung up: its share is given back.
            TestServer.Reply again = null;
            for (int i = 0; i < 50 && (again == null || again.status() == 503); i++) {
                Thread.sleep(20);
                again = s.post("/v1/embeddings", "application/json", padded);
            }
            assertEquals(200, again.status(), again.text());
        }
    }
}
