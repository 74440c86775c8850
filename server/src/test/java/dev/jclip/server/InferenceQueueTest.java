package dev.jclip.server;

import dev.jclip.core.ClipModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests waiting together are run as one batch, each gets its own results, and kinds are not mixed. */
class InferenceQueueTest {
    private static String batches(Metrics m) {
        return m.prometheus().lines().filter(l -> l.startsWith("clip_inference_batches_total ")).findFirst().orElseThrow();
    }

    @Test
    void waitingRequestsShareABatch() throws Exception {
        ClipModel clip = TestServer.model();
        Metrics metrics = new Metrics();
        InferenceQueue queue = new InferenceQueue(clip, metrics);   // not started: requests pile up
        float[] pixels = clip.preprocess(dev.jclip.core.image.ImageLoader.load(dev.jclip.core.testing.Fixtures.images().getFirst()));
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<float[]>>> texts = new ArrayList<>();
            List<Future<List<float[]>>> images = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String t = "request " + i;
                texts.add(clients.submit(() -> queue.embedTexts(List.of(t, t + " again"))));
            }
            for (int i = 0; i < 3; i++) {
                images.add(clients.submit(() -> queue.embedPixels(List.of(pixels))));
            }
            while (queue.depth() < 9) {
                Thread.sleep(10);
            }
            assertEquals(15, queue.waitingInputs());
            queue.start(true);
            for (int i = 0; i < texts.size(); i++) {
                List<float[]> got = texts.get(i).get();
                assertEquals(2, got.size());
                assertArrayEquals(clip.encodeText("request " + i), got.get(0));
                assertArrayEquals(clip.encodeText("request " + i + " again"), got.get(1));
            }
            float[] expected = clip.encodePixels(pixels);
            for (Future<List<float[]>> f : images) {
                assertArrayEquals(expected, f.get().getFirst());
            }
        }
        assertEquals("clip_inference_batches_total 2", batches(metrics), "one batch of 12 texts, one of 3 images");
        assertTrue(metrics.prometheus().contains("clip_images_embedded_total 3\n"));
        assertEquals(0, queue.depth());
        assertEquals(InferenceQueue.WarmUpState.STOPPED, queue.warmUpState(), "jobs were waiting: no warm-up pass ran");
        queue.close();
    }
}
