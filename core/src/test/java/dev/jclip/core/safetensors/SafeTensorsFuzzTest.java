package dev.jclip.core.safetensors;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The safetensors reader on arbitrary files: it opens (and every tensor it lists reads back) or it
 * refuses with a {@link SafeTensorsException} naming the file; never another exception, and never
 * reading outside the file.
 */
class SafeTensorsFuzzTest {
    private static final Path FILE = temp();

    private static Path temp() {
        try {
            Path p = Files.createTempFile("fuzz", ".safetensors");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void open(FuzzedDataProvider data) throws IOException {
        Files.write(FILE, data.consumeRemainingAsBytes());
        try (SafeTensorsFile f = SafeTensorsFile.open(FILE)) {
            for (String name : f.names()) {
                TensorInfo t = f.info(name);
                if (t.end() - t.begin() <= 1 << 20) {
                    switch (t.dtype()) {
                        case F32, F16, BF16 -> f.floats(name);
                        case I64, I32, U8 -> f.longs(name);
                        default -> f.bytes(name);
                    }
                }
            }
        } catch (SafeTensorsException expected) {
            if (!expected.getMessage().startsWith(FILE.toString())) {
                throw new AssertionError("the error does not name the file: " + expected.getMessage());
            }
        }
    }
}
