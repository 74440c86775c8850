package dev.jclip.parquet;

import dev.jclip.core.json.Json;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddingTableTest {
    @TempDir
    Path dir;

    private static List<EmbeddingRow> read(Path table) throws IOException {
        List<EmbeddingRow> rows = new ArrayList<>();
        EmbeddingTable.read(table, rows::add);
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> expected() throws IOException {
        return (List<Map<String, Object>>) Json.parse(Files.readString(Fixtures.parquet("expected.json")));
    }

    private static void assertRow(Map<String, Object> want, EmbeddingRow got) {
        assertEquals(want.get("path"), got.path());
        assertEquals(want.get("error"), got.error(), got.path());
        assertEquals(want.get("model"), got.model(), got.path());
        if (want.get("embedding") == null) {
            assertNull(got.embedding(), got.path());
            return;
        }
        List<?> values = (List<?>) want.get("embedding");
        float[] w = new float[values.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((Number) values.get(i)).floatValue();
        }
        assertArrayEquals(w, got.embedding(), got.path());   // exactly: float32 both sides
    }

    @ParameterizedTest
    @ValueSource(strings = {"pyarrow-snappy-dictionary.parquet", "pyarrow-gzip-pagev2.parquet", "pyarrow-none-plain.parquet",
            "pyarrow-byte-stream-split.parquet"})
    void readsWhatPyarrowWrites(String name) throws IOException {
        List<Map<String, Object>> want = expected();
        List<EmbeddingRow> got = read(Fixtures.parquet(name));
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertRow(want.get(i), got.get(i));
        }
    }

    @Test
    void aCodecItDoesNotReadIsRefusedSayingWhatToDo() {
        Path zstd = Fixtures.parquet("pyarrow-zstd.parquet");
        ParquetFormatException e = assertThrows(ParquetFormatException.class, () -> read(zstd));
        assertTrue(e.getMessage().startsWith(zstd + ": column path is compressed with ZSTD, which jclip does not read; write it with snappy"),
                e.getMessage());
    }

    @Test
    void writesWhatItReadsBackAcrossRowGroups() throws IOException {
        Random rnd = new Random(7);
        List<EmbeddingRow> rows = new ArrayList<>();
        for (int i = 0; i < EmbeddingTableWriter.ROW_GROUP_ROWS + 123; i++) {
            if (i % 1000 == 17) {
                rows.add(new EmbeddingRow("img/" + i + ".png", null, "img/" + i + ".png: not an image", "id-1"));
                continue;
            }
            float[] v = new float[13];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) rnd.nextGaussian();
            }
            rows.add(new EmbeddingRow("img/é" + i + ".png", v, null, "id-1"));
        }
        Path file = dir.resolve("t.parquet");
        try (EmbeddingTableWriter w = new EmbeddingTableWriter(file, Map.of(EmbeddingTable.IMAGES_DIR_KEY, "/photos"))) {
            for (EmbeddingRow r : rows) {
                w.write(r);
            }
        }
        List<EmbeddingRow> back = read(file);
        assertEquals(rows.size(), back.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i).path(), back.get(i).path());
            assertEquals(rows.get(i).error(), back.get(i).error());
            assertEquals(rows.get(i).model(), back.get(i).model());
            assertArrayEquals(rows.get(i).embedding(), back.get(i).embedding());
        }
        assertEquals("/photos", EmbeddingTable.metadata(file).get(EmbeddingTable.IMAGES_DIR_KEY));
        try (ParquetFile f = new ParquetFile(file)) {
            assertEquals(2, f.rowGroups());
        }
    }

    @Test
    void aFolderOfPartsIsReadInNameOrderLeavingOutSparksBookkeeping() throws IOException {
        Path table = Files.createDirectories(dir.resolve("out.parquet"));
        Files.copy(Fixtures.parquet("pyarrow-none-plain.parquet"), table.resolve("part-00001.snappy.parquet"));
        Files.copy(Fixtures.parquet("pyarrow-snappy-dictionary.parquet"), table.resolve("part-00000.snappy.parquet"));
        Files.writeString(table.resolve("_SUCCESS"), "");
        Files.writeString(table.resolve(".part-00000.snappy.parquet.crc"), "crc");
        assertEquals(List.of(table.resolve("part-00000.snappy.parquet"), table.resolve("part-00001.snappy.parquet")), EmbeddingTable.parts(table));
        assertEquals(2 * expected().size(), read(table).size());
    }

    @Test
    void notParquetAndTruncatedFilesAreRefusedNamingThem() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.parquet"), "hello, this is not a table at all");
        ParquetFormatException e = assertThrows(ParquetFormatException.class, () -> read(text));
        assertEquals(text + ": not a Parquet file (no PAR1 magic at its start and end)", e.getMessage());
        byte[] whole = Files.readAllBytes(Fixtures.parquet("pyarrow-snappy-dictionary.parquet"));
        Path cut = dir.resolve("cut.parquet");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(ParquetFormatException.class, () -> read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
        // A footer whose page offsets were shifted: the pages it points at are not pages.
        byte[] shifted = whole.clone();
        for (int i = 4; i < 400; i++) {
            shifted[i] ^= 0x5A;
        }
        Path bad = dir.resolve("bad.parquet");
        Files.write(bad, shifted);
        e = assertThrows(ParquetFormatException.class, () -> read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": column "), e.getMessage());
    }
}
