package dev.jclip.server;

import dev.jclip.core.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clients keep uploading images that are slow to decode (36-megapixel progressive JPEGs) while a third asks for {@code /healthz} and text embeddings: those
 * must still be answered within a second (p99). Decoding runs on its own platform threads, so the
 * virtual threads' carriers stay free; before, two native JPEG decodes pinned both carriers.
 */
class DecodeAbuseTest {
    /**
     * A 6000×6000 progressive JPEG (36 M pixels, under the server's 40 M limit): a valid photo-sized
     * file whose decode takes seconds on this machine's cores.
     */
    static byte[] slowJpeg() throws IOException {
        int n = 6000;
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i / 3 % n) * 7 / 100 + (i / 3 / n) * 3 / 100 + i % 3 * 40);
        }
        return TestImages.progressiveJpeg(img);
    }

    private static double p(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    @Test
    void healthAndTextsAreAnsweredWhileSlowImagesDecode() throws Exception {
        byte[] slow = slowJpeg();
        try (TestServer s = TestServer.start(TestServer.options())) {
            long d0 = System.nanoTime();
            TestServer.Reply one = s.postMultipart("/v1/classify", List.of(new TestServer.Field("image", "slow.jpg", slow),
                    TestServer.Field.text("labels", "a,b"), TestServer.Field.text("templates", "none")));
            assertEquals(200, one.status(), one.text());
            double decodeSeconds = (System.nanoTime() - d0) / 1e9;

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger uploads = new AtomicInteger();
            List<Thread> abusers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                abusers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 20 && !stop.get(); i++) {
                        TestServer.Reply r = s.postMultipart("/v1/classify", List.of(new TestServer.Field("image", "slow.jpg", slow),
                                TestServer.Field.text("labels", "a,b"), TestServer.Field.text("templates", "none")));
                        if (r.status() == 200) {
                            uploads.incrementAndGet();
                        }
                    }
                }));
            }
            Thread.sleep(300); // both decodes under way
            List<Double> health = new ArrayList<>(), texts = new ArrayList<>();
            long end = System.nanoTime() + 6_000_000_000L;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                assertEquals(200, s.get("/healthz").status());
                health.add((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                TestServer.Reply r = s.postJson("/v1/embeddings", Map.of("input", List.of("a photo of a cat")));
                assertEquals(200, r.status(), r.text());
                texts.add((System.nanoTime() - t0) / 1e9);
                Thread.sleep(50);
            }
            stop.set(true);
            for (Thread t : abusers) {
                t.join(60_000);
            }
            Collections.sort(health);
            Collections.sort(texts);
            System.out.printf("decode abuse: one slow image decodes in %.2f s; %d slow uploads by 2 clients meanwhile; "
                            + "/healthz p50 %.3f s p99 %.3f s (%d); text embeddings p50 %.3f s p99 %.3f s (%d)%n",
                    decodeSeconds, uploads.get(), p(health, 0.5), p(health, 0.99), health.size(),
                    p(texts, 0.5), p(texts, 0.99), texts.size());
            assertTrue(uploads.get() >= 2, "the abusers kept decoding: " + uploads.get());
            assertTrue(p(health, 0.99) <= 1.0, "/healthz p99 " + p(health, 0.99) + " s");
            assertTrue(p(texts, 0.99) <= 1.0, "text embedding p99 " + p(texts, 0.99) + " s");
        }
    }
}
