package dev.jclip.core.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index file on its own, with synthetic vectors: round trip, search order, and damaged files. */
class IndexFileTest {
    @TempDir
    Path dir;

    private Path synthetic(int n, int dim, boolean f16) throws IOException {
        SplittableRandom r = new SplittableRandom(n);
        List<ImageIndex.Entry> entries = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(new ImageIndex.Entry("img/" + (n - i) + ".png", 100 + i, 1000L * i));
            float[] v = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = (float) r.nextGaussian();
            }
            vectors.add(v);
        }
        Path file = dir.resolve("synthetic" + n + f16 + ".idx");
        ImageIndex.write(file, "model-x", "/models/x.safetensors", "/photos", dim, f16, entries, vectors);
        return file;
    }

    @Test
    void roundTripAndSearchOrder() throws IOException {
        for (boolean f16 : new boolean[]{true, false}) {
            Path file = synthetic(500, 33, f16);
            try (ImageIndex index = ImageIndex.open(file)) {
                assertEquals(500, index.size());
                assertEquals(33, index.dim());
                assertEquals("model-x", index.modelId());
                assertEquals("/models/x.safetensors", index.modelSource());
                assertEquals(Path.of("/photos"), index.imagesDir());
                List<String> paths = index.paths();
                List<String> sorted = new ArrayList<>(paths);
                sorted.sort(null);
                assertEquals(sorted, paths, "entries in path order");
                for (int i : new int[]{0, 17, 499}) {
                    float[] q = index.vector(i);
                    List<ImageIndex.Hit> hits = index.search(q, 5);
                    assertEquals(5, hits.size());
                    assertEquals(paths.get(i), hits.getFirst().path(), "a vector finds itself first");
                    assertEquals(i, hits.getFirst().id());
                    assertEquals(paths.get(i), index.path(i));
                    assertEquals(1.0, hits.getFirst().score(), f16 ? 2e-3 : 1e-5);
                    for (int h = 1; h < hits.size(); h++) {
                        assertTrue(hits.get(h - 1).score() >= hits.get(h).score(), "best first");
                    }
                }
                assertEquals(500, index.search(index.vector(0), 10_000).size(), "k larger than the index");
            }
        }
    }

    @Test
    void refusesATruncatedIndex() throws IOException {
        Path file = synthetic(200, 16, true);
        byte[] bytes = Files.readAllBytes(file);
        for (int cut : new int[]{bytes.length / 2, bytes.length - 3, 9}) {
            Path bad = dir.resolve("cut" + cut + ".idx");
            Files.write(bad, Arrays.copyOf(bytes, cut));
            IndexException e = assertThrows(IndexException.class, () -> ImageIndex.open(bad).close());
            assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated or corrupt") || e.getMessage().contains("not a jclip image index"), e.getMessage());
        }
    }

    @Test
    void refusesAnotherVersionAndOtherFiles() throws IOException {
        Path v2 = dir.resolve("v2.idx");
        Files.write(v2, IndexFile.write(2, "m", "s", "", 4, IndexFile.DTYPE_F16, List.of(), new byte[0]));
        IndexException e = assertThrows(IndexException.class, () -> ImageIndex.open(v2).close());
        assertTrue(e.getMessage().contains("format version 2") && e.getMessage().contains("build the index again"), e.getMessage());
        Path text = dir.resolve("notes.idx");
        Files.writeString(text, "this is not an index at all");
        e = assertThrows(IndexException.class, () -> ImageIndex.open(text).close());
        assertTrue(e.getMessage().contains("not a jclip image index"), e.getMessage());
        e = assertThrows(IndexException.class, () -> ImageIndex.open(dir.resolve("absent.idx")).close());
        assertTrue(e.getMessage().contains("no such index file"), e.getMessage());
    }

    @Test
    void aLargeIndexScansItsInt8CodesAndReranksToTheExactAnswer() throws IOException {
        int n = ImageIndex.APPROXIMATE_FROM + 1234;
        Path file = synthetic(n, 64, true);
        try (ImageIndex index = ImageIndex.open(file)) {
            SplittableRandom r = new SplittableRandom(5);
            for (int q = 0; q < 20; q++) {
                float[] query = new float[64];
                for (int c = 0; c < 64; c++) {
                    query[c] = (float) r.nextGaussian();
                }
                if (q % 2 == 0) {
                    query = index.vector(r.nextInt(n)); // a stored vector, which must come back first
                }
                List<ImageIndex.Hit> exact = index.searchExact(query, 10);
                List<ImageIndex.Hit> fast = index.search(query, 10);
                assertEquals(exact.stream().map(ImageIndex.Hit::id).toList(), fast.stream().map(ImageIndex.Hit::id).toList(), "query " + q);
                for (int i = 0; i < 10; i++) {
                    assertEquals(exact.get(i).score(), fast.get(i).score(), 1e-5, "query " + q + " hit " + i);
                }
            }
        }
    }

    @Test
    void anIndexOverTwoGigabytesOpens() throws IOException {
        // 600,000 entries of 2048 F16 values: 2.46 GB of vectors, written as a sparse file (the header
        // for real, the vectors as a hole), so the test costs seconds, not gigabytes of disk.
        int n = 600_000, dim = 2048;
        List<IndexFile.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(new IndexFile.Entry("p/" + i + ".jpg", i, i));
        }
        byte[] header = IndexFile.writeHeader("m", "m", "/photos", dim, IndexFile.DTYPE_F16, entries);
        IndexFile.Layout layout = IndexFile.Layout.of(header.length, n, dim, IndexFile.DTYPE_F16);
        assertTrue(layout.vectorsOffset() + layout.vectorsLength() > (2L << 30), "over 2 GB");
        Path file = dir.resolve("big.idx");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer prefix = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            prefix.put(IndexFile.MAGIC_V2).putLong(header.length);
            f.write(prefix.array());
            f.write(header);
            f.setLength(layout.end());
        }
        try (ImageIndex index = ImageIndex.open(file)) {
            assertEquals(n, index.size());
            assertEquals("p/" + (n - 1) + ".jpg", index.path(n - 1));
            float[] last = index.vector(n - 1);   // bytes past 2^31 from the file's start
            assertEquals(dim, last.length);
            assertEquals(0f, last[dim - 1]);
        }
    }
}
