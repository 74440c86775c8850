package dev.jclip.cli;

import dev.jclip.cli.MainTest.Result;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.jclip.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./clip export --parquet} and {@code ./clip index --from-parquet}, and searching through a Lucene graph. */
class ParquetCommandsTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path photos;
    static Path index;
    private static final List<String> QUERIES = List.of("a photo of a cat", "a rocket", "coffee", "an astronaut", "a camera");

    @BeforeAll
    static void build() throws IOException {
        model = MainTest.tinyModel(dir);
        photos = Files.createDirectories(dir.resolve("photos/nested"));
        for (Path p : Fixtures.images()) {
            Files.copy(p, photos.resolve(p.getFileName()));
            Files.copy(p, photos.getParent().resolve("copy-" + p.getFileName()));
        }
        index = dir.resolve("photos.idx");
        Result r = run("index", photos.getParent().toString(), "--model", model.toString(), "--out", index.toString());
        assertEquals(0, r.status(), r.err());
    }

    private static void assertSameResults(Path a, Path b, String... extra) {
        for (String q : QUERIES) {
            List<Map<String, Object>> want = search(a, q);
            List<Map<String, Object>> got = search(b, q, extra);
            assertEquals(want.size(), got.size(), q);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("path"), got.get(i).get("path"), q + " #" + i);
                // The same stored F16 values, renormalised once more on import: scores agree to F16's rounding.
                assertEquals(((Number) want.get(i).get("score")).doubleValue(), ((Number) got.get(i).get("score")).doubleValue(), 1e-4, q);
            }
        }
    }

    private static List<Map<String, Object>> search(Path idx, String query, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("search", "--index", idx.toString(), query, "-k", "10"));
        args.addAll(List.of(extra));
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        return r.lines();
    }

    @Test
    void exportThenImportGivesTheSameSearchResults() throws IOException {
        Path table = dir.resolve("photos.parquet");
        Result exported = run("export", "--index", index.toString(), "--parquet", table.toString());
        assertEquals(0, exported.status(), exported.err());
        Path back = dir.resolve("back.idx");
        Result imported = run("index", "--from-parquet", table.toString(), "--out", back.toString());
        assertEquals(0, imported.status(), imported.err());
        assertTrue(imported.err().contains("indexed " + 2 * Fixtures.images().size() + " images"), imported.err());
        assertTrue(imported.err().contains("paths relative to " + photos.getParent().toRealPath()), imported.err());
        assertSameResults(index, back);   // the model comes from the table, as recorded by export
        Result info = run("info", "--index", back.toString());
        assertEquals(0, info.status(), info.err());
    }

    @Test
    void aGraphBuiltWithAnnServesTheSameResultsAndExactStaysAvailable() {
        Path table = dir.resolve("ann.parquet");
        assertEquals(0, run("export", "--index", index.toString(), "--parquet", table.toString()).status());
        Path withGraph = dir.resolve("ann.idx");
        Result r = run("index", "--from-parquet", table.toString(), "--out", withGraph.toString(), "--model", model.toString(), "--ann");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("built the Lucene graph " + withGraph + ".lucene"), r.err());
        assertTrue(Files.isDirectory(dir.resolve("ann.idx.lucene")));
        assertSameResults(index, withGraph);
        assertSameResults(index, withGraph, "--exact");
    }

    @Test
    void importsWhatPyarrowWroteLeavingOutErrorRows() {
        Path out = dir.resolve("pyarrow.idx");
        Result r = run("index", "--from-parquet", Fixtures.parquet("pyarrow-snappy-dictionary.parquet").toString(), "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().startsWith("indexed 292 images into " + out), r.err());   // 300 rows, 8 with an error
        assertTrue(r.err().contains("8 rows with an error left out"), r.err());
        assertTrue(r.err().contains("paths relative to /photos"), r.err());
        assertTrue(r.err().contains("search and serve will need --model"), r.err());
        Result search = run("search", "--index", out.toString(), "cat");
        assertEquals(2, search.status());
        assertTrue(search.err().contains("records no model"), search.err());
    }

    @Test
    void aTableOfAnotherModelOrNotParquetIsOneErrorLine() throws IOException {
        Path out = dir.resolve("refused.idx");
        Result r = run("index", "--from-parquet", Fixtures.parquet("pyarrow-none-plain.parquet").toString(), "--out", out.toString(),
                "--model", model.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("was embedded by model m0, not "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        Path text = Files.writeString(dir.resolve("notes.parquet"), "these are notes, not a table of embeddings");
        r = run("index", "--from-parquet", text.toString(), "--out", out.toString());
        assertEquals(2, r.status());
        assertEquals("error: " + text + ": not a Parquet file (no PAR1 magic at its start and end)", r.err().strip());
        r = run("index", "--from-parquet", text.toString(), photos.toString(), "--out", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("takes no folder DIR"), r.err());
        Path missing = dir.resolve("nowhere.parquet");
        r = run("index", "--from-parquet", missing.toString(), "--out", out.toString());
        assertEquals(2, r.status());
        assertEquals("error: --from-parquet " + missing + ": no such file or folder", r.err().strip());
        assertTrue(Files.notExists(out));
    }

    @Test
    void exportOfAMissingOrForeignIndexIsOneErrorLine() throws IOException {
        Path table = dir.resolve("never.parquet");
        Path missing = dir.resolve("missing.idx");
        Result r = run("export", "--index", missing.toString(), "--parquet", table.toString());
        assertEquals(2, r.status());
        assertEquals("error: " + missing + ": no such index file", r.err().strip());
        Path foreign = Files.writeString(dir.resolve("foreign.idx"), "not an index at all, just some words to make it long enough");
        r = run("export", "--index", foreign.toString(), "--parquet", table.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: " + foreign + ": "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(Files.notExists(table));
    }
}
