package dev.jclip.server;

import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.lucene.AnnIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ./clip serve --index} notices {@code ./clip index} replacing the index file and serves the new
 * index without a restart; a replacement it cannot use leaves the previous one in service.
 */
class IndexReloadTest {
    @TempDir
    Path dir;

    private static long indexed(TestServer s) {
        return (Long) s.get("/healthz").json().get("images_indexed");
    }

    /** Waits up to 20 s for /healthz to report {@code key} = {@code value}. */
    private static void awaitHealth(TestServer s, String key, Object value) throws InterruptedException {
        for (long end = System.nanoTime() + 20_000_000_000L; System.nanoTime() < end; Thread.sleep(50)) {
            if (value.equals(s.get("/healthz").json().get(key))) {
                return;
            }
        }
        fail("the server did not report " + key + " " + value + " within 20 s: " + s.get("/healthz").json());
    }

    private static void awaitIndexed(TestServer s, long count) throws InterruptedException {
        awaitHealth(s, "images_indexed", count);
    }

    @Test
    void aRebuiltIndexIsServedWithoutARestart() throws Exception {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos);
        List<Path> images = Fixtures.images();
        for (Path p : images.subList(0, 2)) {
            Files.copy(p, photos.resolve(p.getFileName()));
        }
        Path file = dir.resolve("photos.idx");
        ImageIndex.build(TestServer.model(), "tiny", photos, file, true, ImageIndex.Progress.NONE);
        try (TestServer s = TestServer.startWithIndexFile(file, TestServer.options())) {
            assertEquals(2, indexed(s));
            for (Path p : images.subList(2, images.size())) {
                Files.copy(p, photos.resolve(p.getFileName()));
            }
            ImageIndex.build(TestServer.model(), "tiny", photos, file, true, ImageIndex.Progress.NONE);
            awaitIndexed(s, images.size());
            int last = images.size() - 1;
            assertEquals(200, s.get("/v1/images/" + last).status(), "a thumbnail of an entry the old index did not have");
            assertEquals(images.size(), ((List<?>) s.get("/v1/search?q=cat&k=10").json().get("results")).size());

            // A file that is not an index renamed over it: reported, and the previous index kept.
            Path junk = dir.resolve("junk");
            Files.writeString(junk, "not an index");
            Files.move(junk, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(1500);
            assertEquals(images.size(), indexed(s), "still the previous index");
            assertEquals(200, s.get("/v1/search?q=cat").status());
        }
    }

    @Test
    void aLuceneGraphBuiltAfterTheIndexIsPickedUpAndAStaleOneIsNotUsed() throws Exception {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos);
        List<Path> images = Fixtures.images();
        for (Path p : images.subList(0, 3)) {
            Files.copy(p, photos.resolve(p.getFileName()));
        }
        Path file = dir.resolve("photos.idx");
        ImageIndex.build(TestServer.model(), "tiny", photos, file, true, ImageIndex.Progress.NONE);
        try (TestServer s = TestServer.startWithIndexFile(file, TestServer.options())) {
            assertEquals("absent", s.get("/healthz").json().get("index_graph"));
            List<?> flat = (List<?>) s.get("/v1/search?q=cat&k=3").json().get("results");
            try (ImageIndex index = ImageIndex.open(file)) {
                AnnIndex.build(index, file, (done, total) -> { });
            }
            awaitHealth(s, "index_graph", "current");
            List<?> graph = (List<?>) s.get("/v1/search?q=cat&k=3").json().get("results");
            assertEquals(flat.size(), graph.size());
            for (int i = 0; i < flat.size(); i++) {
                Map<?, ?> want = (Map<?, ?>) flat.get(i), got = (Map<?, ?>) graph.get(i);
                assertEquals(want.get("path"), got.get("path"), "the graph finds what the flat search found");
                // rescored in double from the same stored vectors; the flat scan's SIMD sums round differently
                assertEquals(((Number) want.get("score")).doubleValue(), ((Number) got.get("score")).doubleValue(), 1e-6);
            }

            for (Path p : images.subList(3, images.size())) {
                Files.copy(p, photos.resolve(p.getFileName()));
            }
            ImageIndex.build(TestServer.model(), "tiny", photos, file, true, ImageIndex.Progress.NONE);
            awaitIndexed(s, images.size());
            assertEquals("stale", s.get("/healthz").json().get("index_graph"), "a graph of the earlier index is not used");
            assertEquals(images.size(), ((List<?>) s.get("/v1/search?q=cat&k=10").json().get("results")).size());
        }
    }
}
