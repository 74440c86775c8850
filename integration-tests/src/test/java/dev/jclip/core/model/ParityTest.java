package dev.jclip.core.model;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;
import dev.jclip.core.Similarity;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.weights.RuntimeFile;
import dev.jclip.tensor.KernelProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.jclip.core.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first law: every checkpoint layout, converted and loaded, gives the reference's outputs
 * (OpenAI's clip/model.py in float64). A broken layer is named by the trace tests.
 */
@Tag("parity")   // .ci/run runs this tag again on the scalar kernels
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParityTest {
    /** Tighter than the bounds, so a small regression shows before it matters. */
    private static final double EMBED_TOL = 1e-5;   // the issue asks 1e-4; fp32 lands near 1.5e-6
    private static final double LOGIT_TOL = 1e-4;   // the issue asks 1e-3; fp32 lands near 3e-5

    private final Map<String, ClipModel> models = new HashMap<>();
    private SafeTensorsFile expected;
    private Path dir;

    static Stream<String> layouts() {
        return Stream.of("hf", "openai-fp16.safetensors", "gmp-openai.safetensors");
    }

    /** Every layout on the kernels this JVM chose (SIMD under the test flags) and on the scalar specification. */
    static Stream<String> cases() {
        return layouts().flatMap(l -> Stream.of(l, l + SCALAR));
    }

    private static final String SCALAR = " (scalar kernels)";

    @BeforeAll
    void convertEveryLayout() throws IOException {
        boolean simd = Boolean.parseBoolean(System.getProperty("clip.simd", "true"));
        assertEquals(simd, KernelProvider.kernels().name().startsWith("simd"),
                "the tests run with --add-modules jdk.incubator.vector: SIMD kernels unless -Dclip.simd=false");
        dir = Files.createTempDirectory("parity");
        expected = Fixtures.expected();
        for (String layout : layouts().toList()) {
            Path converted = dir.resolve(layout.replace(".safetensors", "") + ".runtime.safetensors");
            Converter.convert(Fixtures.tiny(layout), converted, null);
            models.put(layout, ClipModel.load(converted));
            models.put(layout + SCALAR, ClipModel.load(RuntimeFile.open(converted), KernelProvider.scalar()));
        }
    }

    @AfterAll
    void close() throws IOException {
        expected.close();
        models.values().forEach(ClipModel::close);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void tokenIdsAreExact(String layout) {
        List<String> texts = Fixtures.texts();
        List<int[]> ids = Fixtures.inputIds();
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(ids.get(i), models.get(layout).tokenize(texts.get(i)), layout + " text " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void textEmbeddings(String layout) {
        float[] want = expected.floats("text_embeds");          // [13, 32]
        List<String> texts = Fixtures.texts();
        for (int i = 0; i < texts.size(); i++) {
            float[] got = models.get(layout).encodeText(texts.get(i));
            assertEquals(32, got.length);
            assertClose(want, i * 32, got, EMBED_TOL, layout + " text_embeds[" + i + "] \"" + texts.get(i) + "\"");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void imageEmbeddings(String layout) {
        float[] want = expected.floats("image_embeds");         // [5, 32]
        List<Path> images = Fixtures.images();
        for (int i = 0; i < images.size(); i++) {
            float[] got = models.get(layout).encodeImage(images.get(i));
            assertClose(want, i * 32, got, EMBED_TOL, layout + " image_embeds[" + i + "] " + images.get(i).getFileName());
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void logitsPerImage(String layout) {
        ClipModel m = models.get(layout);
        Similarity s = m.similarity(m.encodeImages(Fixtures.images()), m.encodeTexts(Fixtures.texts()));
        float[] want = expected.floats("logits_per_image");     // [5, 13]
        for (int i = 0; i < 5; i++) {
            assertClose(want, i * 13, s.logitsPerImage()[i], LOGIT_TOL, layout + " logits_per_image[" + i + "]");
            double sum = 0;
            for (float p : s.probs()[i]) {
                sum += p;
            }
            assertEquals(1.0, sum, 1e-5, "probabilities sum to 1");
        }
        assertEquals(100f, m.logitScale(), 0.05f, "exp(logit_scale): ln(100) rounded to F16 is 4.6055");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void visionTrace(String layout) {
        Map<String, float[]> trace = new HashMap<>();
        float[] pixels = Arrays.copyOf(expected.floats("pixel_values"), 3 * 224 * 224);
        models.get(layout).encodePixels(pixels, record(trace));
        StateDictNames.VisionNames v = StateDictNames.VISUAL;
        assertTraced(layout, v.lnPre().module(), "vision.ln_pre", trace);
        assertTraced(layout, v.transformer().resblock(0).module(), "vision.block0", trace);
        assertTraced(layout, v.transformer().resblock(1).module(), "vision.block1", trace);
        assertTraced(layout, v.lnPost().module(), "vision.ln_post", trace);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void textTrace(String layout) {
        Map<String, float[]> trace = new HashMap<>();
        int[] ids = Arrays.copyOf(Fixtures.inputIds().getFirst(), 77); // padded with 0, as OpenAI's clip.tokenize does
        models.get(layout).encodeTokens(ids, record(trace));
        StateDictNames.TextNames t = StateDictNames.TEXT;
        assertTraced(layout, t.positionalEmbedding(), "text.embeddings", trace);
        assertTraced(layout, t.transformer().resblock(0).module(), "text.block0", trace);
        assertTraced(layout, t.transformer().resblock(1).module(), "text.block1", trace);
        assertTraced(layout, t.lnFinal().module(), "text.ln_final", trace);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inMemoryConversionGivesTheSameModel(String layout) {
        try (ClipModel direct = ClipModel.load(Converter.open(Fixtures.tiny(layout.replace(SCALAR, ""))),
                layout.endsWith(SCALAR) ? KernelProvider.scalar() : KernelProvider.kernels())) {
            assertArrayEquals(models.get(layout).encodeText("a photo of a cat"), direct.encodeText("a photo of a cat"));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void batchesGiveExactlyTheSingleResults(String layout) {
        ClipModel m = models.get(layout);
        List<String> texts = Fixtures.texts();
        List<float[]> batched = m.encodeTexts(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(m.encodeText(texts.get(i)), batched.get(i), "text " + i + " batched with texts of other lengths");
        }
        List<Path> images = Fixtures.images();
        List<float[]> imageBatch = m.encodeImages(images);
        for (int i = 0; i < images.size(); i++) {
            assertArrayEquals(m.encodeImage(images.get(i)), imageBatch.get(i), "image " + i + " in a batch");
        }
    }

    private static Trace record(Map<String, float[]> into) {
        return (name, values, offset, rows, width) -> into.put(name, Arrays.copyOfRange(values, offset, offset + rows * width));
    }

    /**
     * The model reports each step under its state-dict name; the fixture stores the same step as
     * {@code trace.<fixtureName>} (its own naming, see src/test/fixtures/clip-tiny/README.md).
     */
    private void assertTraced(String layout, String name, String fixtureName, Map<String, float[]> trace) {
        float[] want = expected.floats("trace." + fixtureName);
        float[] got = trace.get(name);
        String what = layout + " " + name + " (fixture trace." + fixtureName + ")";
        assertEquals(want.length, got == null ? -1 : got.length, what + " size");
        assertClose(want, got, EMBED_TOL * Math.max(1, maxAbs(want)), what);
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
