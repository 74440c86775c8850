package dev.jclip.core;

import dev.jclip.convert.Converter;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.tokenizer.TokenizerFiles;
import dev.jclip.core.weights.Checkpoint;
import dev.jclip.core.weights.RuntimeFile;
import dev.jclip.core.weights.TensorSpec;
import dev.jclip.tensor.KernelProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up runs its passes while asked to, leaves images out for a text encoder, changes no result,
 * and is meant for the vector kernels only.
 */
class WarmUpTest {
    private static Path file;

    @BeforeAll
    static void convert() throws IOException {
        file = Files.createTempFile("warm-up", ".safetensors");
        Converter.convert(Fixtures.tiny("hf"), file, null);
    }

    @AfterAll
    static void delete() throws IOException {
        Files.delete(file);
    }

    @Test
    void runsEveryPassWhileAllowedAndResultsStayTheSame() {
        try (ClipModel clip = ClipModel.load(file)) {
            float[] text = clip.encodeText(Fixtures.texts().getFirst());
            float[] image = clip.encodeImage(Fixtures.images().getFirst());
            assertEquals(14, WarmUp.passes(clip));
            assertEquals(14, WarmUp.run(clip, () -> true), "2 short texts, a full-context one, 2 images, a full-context text, 8 short texts");
            assertArrayEquals(text, clip.encodeText(Fixtures.texts().getFirst()));
            assertArrayEquals(image, clip.encodeImage(Fixtures.images().getFirst()));
        }
    }

    @Test
    void asksBeforeEachPassAndStopsWhenTold() {
        try (ClipModel clip = ClipModel.load(file)) {
            assertEquals(0, WarmUp.run(clip, () -> false));
            AtomicInteger asked = new AtomicInteger();
            assertEquals(3, WarmUp.run(clip, () -> asked.incrementAndGet() <= 3));
            assertEquals(4, asked.get(), "asked once more, answered no");
        }
    }

    @Test
    void paysForTheVectorKernelsOnly() {
        try (ClipModel simd = ClipModel.load(file); ClipModel scalar = ClipModel.load(RuntimeFile.open(file), KernelProvider.scalar())) {
            assertTrue(WarmUp.pays(simd), "the tests run with the Vector API module (the pom's JVM flags): " + simd.kernels().name());
            assertFalse(WarmUp.pays(scalar));
        }
    }

    @Test
    void aTextEncoderGetsTextPassesOnly() {
        try (ClipModel clip = ClipModel.load(textOnly(RuntimeFile.open(file)))) {
            assertFalse(clip.hasVision());
            assertEquals(12, WarmUp.passes(clip));
            assertEquals(12, WarmUp.run(clip, () -> true), "the two image passes left out");
        }
    }

    /** The tiny model's file seen as a text encoder alone: no vision config. */
    private static Checkpoint textOnly(RuntimeFile full) {
        ClipConfig config = new ClipConfig(null, full.config().text(), full.config().preprocess());
        return new Checkpoint() {
            public ClipConfig config() {
                return config;
            }

            public TokenizerFiles tokenizer() {
                return full.tokenizer();
            }

            public Set<String> names() {
                return full.names();
            }

            public TensorSpec spec(String runtimeName) {
                return full.spec(runtimeName);
            }

            public float[] floats(String runtimeName) {
                return full.floats(runtimeName);
            }

            public dev.jclip.tensor.Matrix matrix(String runtimeName) {
                return full.matrix(runtimeName);
            }

            public void close() {
                full.close();
            }
        };
    }
}
