package dev.jclip.core.index;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The index file reader on arbitrary files: it opens, lists its entries and searches, or it refuses
 * with an {@link IndexException} naming the file; never another exception, never reading outside it.
 */
class IndexFuzzTest {
    private static final Path FILE = temp();

    private static Path temp() {
        try {
            Path p = Files.createTempFile("fuzz", ".idx");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void openAndSearch(FuzzedDataProvider data) throws IOException {
        Files.write(FILE, data.consumeRemainingAsBytes());
        try (ImageIndex index = ImageIndex.open(FILE)) {
            for (int i = 0; i < Math.min(index.size(), 100); i++) {
                index.path(i);
            }
            if (index.size() > 0) {
                float[] query = new float[index.dim()];
                query[0] = 1;
                index.search(query, 3);
                index.searchExact(query, 3);
            }
        } catch (IndexException expected) {
            if (!expected.getMessage().startsWith(FILE.toString())) {
                throw new AssertionError("the error does not name the file: " + expected.getMessage());
            }
        }
    }
}
