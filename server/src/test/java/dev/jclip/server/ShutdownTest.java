package dev.jclip.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM stops taking connections but finishes the request in flight, then the process exits. */
class ShutdownTest {
    @Test
    void sigtermFinishesTheRequestInFlight() throws Exception {
        Path indexFile = TestServer.WORK.resolve("images.idx");
        TestServer.index();   // builds the index file
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(), indexFile.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("port "), String.valueOf(first));
            int port = Integer.parseInt(first.substring(5));

            String body = "{\"input\": [\"a photo of a cat\", \"a rocket\"]}";
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                OutputStream o = s.getOutputStream();
                o.write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body.substring(0, 12)).getBytes(StandardCharsets.ISO_8859_1));
                o.flush();
                // In flight once its handler has taken room for the body and waits for the rest of it.
                TestServer.awaitMetric(port, "clip_request_body_bytes_buffered", v -> v > 0, "the upload is in flight");

                p.destroy();         // SIGTERM
                boolean refused = false;
                for (int i = 0; i < 50 && !refused; i++) {
                    Thread.sleep(100);
                    try (Socket again = new Socket("127.0.0.1", port)) {
                        again.close();
                    } catch (ConnectException e) {
                        refused = true;
                    }
                }
                assertTrue(refused, "the listening socket closes on SIGTERM");
                assertTrue(p.isAlive(), "the process waits for the request in flight");

                o.write(body.substring(12).getBytes(StandardCharsets.ISO_8859_1));
                o.flush();
                String reply = new String(TestServer.readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
                assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
                assertTrue(reply.contains("\"object\": \"list\""), reply);
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process exits once the request is answered");
            assertEquals(143, p.exitValue(), "128 + SIGTERM, as a JVM stopped by a signal exits");
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        } finally {
            p.destroyForcibly();
        }
    }
}
