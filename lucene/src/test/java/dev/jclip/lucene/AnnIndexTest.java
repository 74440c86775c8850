package dev.jclip.lucene;

import dev.jclip.core.index.ImageIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnnIndexTest {
    private static final int N = 3000, DIM = 48;
    @TempDir
    Path dir;

    /** N unit vectors around 60 centres, so that neighbours mean something. */
    private static List<float[]> clustered(long seed) {
        Random r = new Random(seed);
        List<float[]> centres = new ArrayList<>();
        for (int c = 0; c < 60; c++) {
            centres.add(gaussian(r, new float[DIM], 1));
        }
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            out.add(gaussian(r, centres.get(r.nextInt(centres.size())), 0.6f));
        }
        return out;
    }

    private static float[] gaussian(Random r, float[] centre, float noise) {
        float[] v = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            v[k] = centre[k] + noise * (float) r.nextGaussian() / (float) Math.sqrt(DIM);
        }
        return v;
    }

    private Path writeIndex(String name, List<float[]> vectors) throws IOException {
        List<ImageIndex.Entry> entries = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            entries.add(new ImageIndex.Entry(String.format("img/%05d.jpg", i), i, i));
        }
        Path file = dir.resolve(name);
        ImageIndex.write(file, "model-a", "m", "/photos", DIM, true, entries, vectors);
        return file;
    }

    @Test
    void findsWhatTheExactScanFindsWithItsScores() throws IOException {
        Path file = writeIndex("a.idx", clustered(1));
        try (ImageIndex flat = ImageIndex.open(file)) {
            assertEquals(AnnIndex.State.ABSENT, AnnIndex.state(file, flat));
            AnnIndex.build(flat, file, (done, total) -> { });
            assertEquals(AnnIndex.State.CURRENT, AnnIndex.state(file, flat));
            assertFalse(Files.exists(AnnIndex.besideIndex(file).resolveSibling("a.idx.lucene.building")));
            int found = 0;
            List<float[]> queries = clustered(2).subList(0, 100);
            try (AnnIndex ann = AnnIndex.open(file)) {
                for (float[] q : queries) {
                    List<ImageIndex.Hit> exact = flat.searchExact(q, 10);
                    List<ImageIndex.Hit> approx = ann.search(flat, q, 10);
                    assertEquals(10, approx.size());
                    for (ImageIndex.Hit h : approx) {
                        // scored exactly from the flat index: the same score the exact scan gives that entry
                        assertEquals(flat.rescore(new int[] {h.id()}, q, 1).getFirst().score(), h.score(), 0f);
                        assertEquals(flat.path(h.id()), h.path());
                        if (exact.stream().anyMatch(e -> e.id() == h.id())) {
                            found++;
                        }
                    }
                }
            }
            double recall = found / 1000.0;
            assertTrue(recall >= 0.95, "recall@10 " + recall);
        }
    }

    @Test
    void aGraphOfAnotherFlatIndexIsStale() throws IOException {
        Path file = writeIndex("b.idx", clustered(3));
        try (ImageIndex flat = ImageIndex.open(file)) {
            AnnIndex.build(flat, file, (done, total) -> { });
        }
        List<float[]> changed = clustered(3);
        changed.set(0, clustered(4).get(0));
        writeIndex("b.idx", changed);
        try (ImageIndex flat = ImageIndex.open(file)) {
            assertEquals(AnnIndex.State.STALE, AnnIndex.state(file, flat));
            AnnIndex.build(flat, file, (done, total) -> { });
            assertEquals(AnnIndex.State.CURRENT, AnnIndex.state(file, flat));
        }
    }
}
