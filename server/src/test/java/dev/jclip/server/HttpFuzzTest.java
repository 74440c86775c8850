package dev.jclip.server;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The whole HTTP request path (the JDK's parser, the router, the token check, every endpoint's
 * request reading) on arbitrary bytes sent to a server on loopback: whatever arrives, the answer is
 * never a 500 (an error jclip did not foresee), and the server keeps answering {@code /healthz}.
 * Each request waits at most 3 s for its answer.
 */
class HttpFuzzTest {
    private static TestServer server;

    private static synchronized TestServer server() throws IOException {
        if (server == null) {
            server = TestServer.start(TestServer.options().withMaxBodyBytes(1 << 20));
        }
        return server;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String exchange(int port, byte[] request) throws IOException {
        // Jazzer's SSRF detector flags every connection a target opens; this test opens only its own, to loopback.
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections((host, p) -> true);
             Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(request);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0 && out.size() < 64 * 1024; ) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | SocketException closed) {
                // no (complete) answer: the JDK closed or is still waiting; neither is a 500
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void request(FuzzedDataProvider data) throws IOException {
        TestServer s = server();
        String reply = exchange(s.port(), data.consumeRemainingAsBytes());
        if (reply.startsWith("HTTP/1.1 500")) {
            throw new AssertionError("an unforeseen error: " + reply.lines().limit(12).toList());
        }
        String health = exchange(s.port(), "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        if (!health.startsWith("HTTP/1.1 200")) {
            throw new AssertionError("the server stopped answering /healthz: " + health.lines().findFirst().orElse("(nothing)"));
        }
    }
}
