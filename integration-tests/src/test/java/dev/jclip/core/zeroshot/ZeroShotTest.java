package dev.jclip.core.zeroshot;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.core.Similarity;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Zero-shot classification on the tiny model: its labels are arbitrary, so structure and arithmetic are checked. */
class ZeroShotTest {
    private static ClipModel clip;
    private static final List<String> LABELS = List.of("cat", "dog", "car", "rocket");

    @BeforeAll
    static void load() {
        clip = ClipModel.load(Converter.open(Fixtures.tiny("hf")));
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    @Test
    void withoutTemplatesItIsTheSoftmaxOfTheSimilarity() {
        Path image = Fixtures.images().getFirst();
        List<Label> ranked = new ZeroShotClassifier(clip, LABELS, PromptTemplates.none()).classify(clip.encodeImage(image));
        Similarity s = clip.similarity(List.of(clip.encodeImage(image)), clip.encodeTexts(LABELS));
        for (Label l : ranked) {
            int i = LABELS.indexOf(l.label());
            assertEquals(s.probs()[0][i], l.probability(), 1e-6, l.label());
            assertEquals(s.logitsPerImage()[0][i], l.logit(), 1e-4, l.label());
        }
        // Printed, a similarity shows its numbers, not an array's identity hash.
        assertTrue(s.toString().startsWith("Similarity[logitsPerImage=[[") && s.toString().contains(Float.toString(s.probs()[0][0])),
                s.toString());
    }

    @Test
    void templatesAverageTheNormalisedPromptEmbeddings() throws IOException {
        Path templates = Files.createTempFile("templates", ".txt");
        Files.writeString(templates, "a photo of a {}.\n\na drawing of the {}\n");
        PromptTemplates t = PromptTemplates.parse(templates.toString());
        assertEquals(2, t.templates().size(), "blank lines are skipped");
        float[] image = EmbeddingMath.normalized(clip.encodeImage(Fixtures.images().get(1)));
        double[] logits = new double[LABELS.size()];
        for (int l = 0; l < LABELS.size(); l++) {
            float[] a = EmbeddingMath.normalized(clip.encodeText("a photo of a " + LABELS.get(l) + "."));
            float[] b = EmbeddingMath.normalized(clip.encodeText("a drawing of the " + LABELS.get(l)));
            float[] mean = new float[a.length];
            for (int c = 0; c < a.length; c++) {
                mean[c] = (a[c] + b[c]) / 2;
            }
            float[] label = EmbeddingMath.normalized(mean);
            double dot = 0;
            for (int c = 0; c < a.length; c++) {
                dot += image[c] * label[c];
            }
            logits[l] = clip.logitScale() * dot;
        }
        List<Label> ranked = new ZeroShotClassifier(clip, LABELS, t).classify(clip.encodeImage(Fixtures.images().get(1)));
        for (Label l : ranked) {
            assertEquals(logits[LABELS.indexOf(l.label())], l.logit(), 1e-3, l.label());
        }
        Files.delete(templates);
    }

    @Test
    void rankedBestFirstAndSummingToOne() {
        List<Label> ranked = new ZeroShotClassifier(clip, LABELS, PromptTemplates.clip()).classify(clip.encodeImage(Fixtures.images().get(2)));
        assertEquals(LABELS.size(), ranked.size());
        double sum = 0;
        for (int i = 0; i < ranked.size(); i++) {
            sum += ranked.get(i).probability();
            if (i > 0) {
                assertTrue(ranked.get(i - 1).probability() >= ranked.get(i).probability(), "best first");
            }
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void describerPicksTheTopPhraseOfEachVocabulary() {
        List<Describer.Vocabulary> vocab = List.of(
                new Describer.Vocabulary("medium", List.of("a photo", "a painting"), "{}."),
                new Describer.Vocabulary("object", List.of("cat", "astronaut", "elephant"), "a photo of a {}."));
        float[] image = clip.encodeImage(Fixtures.images().getFirst());
        Describer.Description d = new Describer(clip, vocab, null).describe(image);
        List<Label> objects = new ZeroShotClassifier(clip, List.of("cat", "astronaut", "elephant"), new PromptTemplates("o", List.of("a photo of a {}.")))
                .classify(image);
        assertEquals(objects.getFirst().label(), d.parts().get("object").phrase());
        assertEquals(objects.getFirst().probability(), d.parts().get("object").score(), 1e-6);
        String article = d.parts().get("object").phrase().startsWith("a") || d.parts().get("object").phrase().startsWith("e") ? "an" : "a";
        assertEquals(d.parts().get("medium").phrase() + " of " + article + " " + d.parts().get("object").phrase(), d.text());
        assertEquals(5, Describer.builtIn().size());
    }

    @Test
    void labelEmbeddingsCachedOnDiskGiveTheSameAnswer(@TempDir Path cacheDir) throws IOException {
        LabelCache cache = new LabelCache(cacheDir);
        float[] image = clip.encodeImage(Fixtures.images().get(3));
        List<Label> fresh = new ZeroShotClassifier(clip, LABELS, PromptTemplates.clip(), cache).classify(image);
        try (var files = Files.list(cacheDir)) {
            assertEquals(1, files.count(), "one file for this model, template set and label list");
        }
        List<Label> cached = new ZeroShotClassifier(clip, LABELS, PromptTemplates.clip(), cache).classify(image);
        assertEquals(fresh, cached);
        try (var files = Files.list(cacheDir)) {
            Path f = files.findFirst().orElseThrow();
            Files.write(f, new byte[3]);   // damaged: ignored and rewritten
        }
        assertEquals(fresh, new ZeroShotClassifier(clip, LABELS, PromptTemplates.clip(), cache).classify(image));
        new ZeroShotClassifier(clip, List.of("cat", "dog"), PromptTemplates.clip(), cache);
        try (var files = Files.list(cacheDir)) {
            assertEquals(2, files.count(), "another label list, another file");
        }
    }

    @Test
    void bundledDataAndBadInputs() {
        assertEquals(80, PromptTemplates.clip().templates().size());
        assertEquals(1000, PromptTemplates.imagenetClasses().size());
        assertEquals("tench", PromptTemplates.imagenetClasses().getFirst());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ZeroShotClassifier(clip, List.of(), PromptTemplates.none()));
        assertTrue(e.getMessage().contains("label list is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PromptTemplates("x", List.of("no placeholder")));
        assertTrue(e.getMessage().contains("has no {}"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PromptTemplates.parse("/nonexistent/templates.txt"));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }
}
