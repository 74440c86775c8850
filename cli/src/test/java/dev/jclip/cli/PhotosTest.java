package dev.jclip.cli;

import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.testing.Fixtures.Photo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.jclip.core.testing.JsonArrays.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The photo-library fixtures through {@code ./clip preprocess} and {@code ./clip embed}, against
 * transformers' {@code load_image} + {@code CLIPProcessor} + {@code CLIPModel} on the tiny model, with
 * the fixture's bounds: lossless files within one 8-bit level of {@code pixel_values} and embeddings
 * at cosine ≥ 0.99999; lossy ones a mean |difference| ≤ 0.02 and cosine ≥ 0.999.
 */
class PhotosTest {
    private static final int PIXELS = 3 * 224 * 224;
    /** One 8-bit level after normalisation: 1/255 over the smallest CLIP std (0.26130258). */
    private static final double ONE_LEVEL = 1 / 255.0 / 0.26130258;

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void convert() {
        model = MainTest.tinyModel(dir);
    }

    private static List<String> paths() {
        return Fixtures.photos().stream().map(p -> p.path().toString()).toList();
    }

    @Test
    void preprocessMatchesTheReferencePixelsForEveryPhoto() {
        Path out = dir.resolve("photos.safetensors");
        List<String> args = new ArrayList<>(List.of("preprocess", "--model", model.toString(), "--out", out.toString()));
        args.addAll(paths());
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        try (SafeTensorsFile got = SafeTensorsFile.open(out); SafeTensorsFile want = Fixtures.photosExpected()) {
            float[] g = got.floats("pixel_values");
            float[] w = want.floats("pixel_values");
            for (Photo photo : Fixtures.photos()) {
                double max = 0, sum = 0;
                for (int k = photo.index() * PIXELS; k < (photo.index() + 1) * PIXELS; k++) {
                    double d = Math.abs(g[k] - w[k]);
                    max = Math.max(max, d);
                    sum += d;
                }
                if (photo.lossless()) {
                    assertTrue(max <= ONE_LEVEL, photo.name() + ": max |difference| " + max);
                } else {
                    assertTrue(sum / PIXELS <= 0.02, photo.name() + ": mean |difference| " + sum / PIXELS);
                }
            }
        }
    }

    @Test
    void embedMatchesTheReferenceEmbeddingsForEveryPhoto() {
        List<String> args = new ArrayList<>(List.of("embed", "--model", model.toString()));
        for (String p : paths()) {
            args.add("--image");
            args.add(p);
        }
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        List<Map<String, Object>> lines = r.lines();
        assertEquals(16, lines.size());
        try (SafeTensorsFile want = Fixtures.photosExpected()) {
            float[] all = want.floats("image_embeds");
            int e = all.length / 16;
            for (Photo photo : Fixtures.photos()) {
                float[] got = floats(lines.get(photo.index()).get("embedding"));
                float[] ref = Arrays.copyOfRange(all, photo.index() * e, (photo.index() + 1) * e);
                double dot = 0, ng = 0, nr = 0;
                for (int i = 0; i < e; i++) {
                    dot += got[i] * ref[i];
                    ng += got[i] * got[i];
                    nr += ref[i] * ref[i];
                }
                double cosine = dot / Math.sqrt(ng * nr);
                assertTrue(cosine >= (photo.lossless() ? 0.99999 : 0.999), photo.name() + ": cosine " + cosine);
            }
        }
    }
}
