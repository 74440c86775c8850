package dev.jclip.parquet;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Parquet reader on arbitrary files (seeded with small tables as pyarrow writes them): it reads
 * rows, or refuses with a {@link ParquetFormatException} naming the file; never another exception,
 * never an allocation a hostile footer asks for.
 */
class ParquetFuzzTest {
    private static final Path FILE = temp();

    private static Path temp() {
        try {
            Path p = Files.createTempFile("fuzz", ".parquet");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void readEveryRow(FuzzedDataProvider data) throws IOException {
        Files.write(FILE, data.consumeRemainingAsBytes());
        try {
            int[] rows = {0};
            EmbeddingTable.read(FILE, row -> rows[0]++);
        } catch (ParquetFormatException expected) {
            if (!expected.getMessage().startsWith(FILE.toString())) {
                throw new AssertionError("the error does not name the file: " + expected.getMessage());
            }
        }
    }
}
