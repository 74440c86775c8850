package dev.jclip.bench;

import dev.jclip.core.index.ImageIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A brute-force search, top 10, over an index file of 100,000 random unit vectors of 768 values
 * (ViT-L/14's embedding width), stored F16 as {@code ./clip index} writes them. The query is one of
 * the stored vectors, which must come back first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class SearchBench {
    @Param({"100000"})
    int vectors;

    @Param({"768"})
    int dim;

    private Path file;
    private ImageIndex index;
    private float[] query;
    private String queryPath;
    private List<ImageIndex.Hit> last;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        SplittableRandom r = new SplittableRandom(9);
        List<ImageIndex.Entry> entries = new ArrayList<>(vectors);
        List<float[]> vs = new ArrayList<>(vectors);
        for (int i = 0; i < vectors; i++) {
            entries.add(new ImageIndex.Entry(String.format("img/%06d.jpg", i), i, i));
            float[] v = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = (float) r.nextGaussian();
            }
            vs.add(v);
        }
        file = Files.createTempFile("search-bench", ".idx");
        ImageIndex.write(file, "bench", "bench", "", dim, true, entries, vs);
        index = ImageIndex.open(file);
        query = vs.get(vectors / 3);
        queryPath = entries.get(vectors / 3).path();
    }

    @Benchmark
    public List<ImageIndex.Hit> search() {
        last = index.search(query, 10);
        return last;
    }

    @TearDown(Level.Trial)
    public void check() throws IOException {
        if (last == null || last.size() != 10 || !last.getFirst().path().equals(queryPath)) {
            throw new AssertionError("search did not find the query vector first: " + last);
        }
        index.close();
        Files.delete(file);
    }
}
