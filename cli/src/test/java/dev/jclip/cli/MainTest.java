package dev.jclip.cli;

import dev.jclip.core.json.Json;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jclip.core.testing.JsonArrays.floats;
import static dev.jclip.core.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ./clip} contract: commands, output lines, exit codes and error lines. */
class MainTest {
    @TempDir
    static Path dir;
    static Path model;

    record Result(int status, String out, String err) {
        List<Map<String, Object>> lines() {
            List<Map<String, Object>> l = new ArrayList<>();
            out.lines().forEach(line -> l.add(Json.parseObject(line)));
            return l;
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String image(int i) {
        return Fixtures.images().get(i).toString();
    }

    @BeforeAll
    static void convert() {
        model = tinyModel(dir);
    }

    /** The tiny fixture model converted by {@code ./clip convert} into {@code dir}, as F32. */
    static Path tinyModel(Path dir) {
        Path model = dir.resolve("tiny.safetensors");
        Result r = run("convert", Fixtures.tiny("hf").toString(), model.toString(), "--dtype", "f32");
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.isRegularFile(model));
        return model;
    }


    private static void assertUsageError(Result r, String fragment) {
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "exactly one line, no stack trace: " + r.err());
        assertTrue(lines.getFirst().startsWith("error: "), lines.getFirst());
        assertTrue(lines.getFirst().contains(fragment), "'" + lines.getFirst() + "' should mention '" + fragment + "'");
    }

    @Test
    void tokenizePrintsOneLinePerText() {
        List<String> texts = Fixtures.texts().subList(0, 11);
        List<String> args = new ArrayList<>(List.of("tokenize", "--model", model.toString()));
        args.addAll(texts);
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        List<Map<String, Object>> lines = r.lines();
        assertEquals(texts.size(), lines.size());
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(texts.get(i), lines.get(i).get("text"));
            int[] ids = ((List<?>) lines.get(i).get("ids")).stream().mapToInt(o -> ((Long) o).intValue()).toArray();
            assertArrayEquals(Fixtures.inputIds().get(i), ids, texts.get(i));
        }
    }

    @Test
    void preprocessWritesPixelValues() throws IOException {
        Path out = dir.resolve("pixels.safetensors");
        Result r = run("preprocess", "--model", model.toString(), "--out", out.toString(), image(0), image(3));
        assertEquals(0, r.status(), r.err());
        try (SafeTensorsFile f = SafeTensorsFile.open(out); SafeTensorsFile expected = Fixtures.expected()) {
            assertArrayEquals(new long[]{2, 3, 224, 224}, f.info("pixel_values").shape());
            float[] got = f.floats("pixel_values");
            float[] want = expected.floats("pixel_values");
            int n = 3 * 224 * 224;
            assertClose(want, 0, java.util.Arrays.copyOfRange(got, 0, n), 1e-5, "astronaut");
            assertClose(want, 3 * n, java.util.Arrays.copyOfRange(got, n, 2 * n), 1e-5, "rocket");
        }
    }

    @Test
    void embedFollowsInputOrder() {
        Result r = run("embed", "--model", model.toString(), "--text", "a photo of a cat", "--image", image(1),
                "--text", Fixtures.texts().get(2));
        assertEquals(0, r.status(), r.err());
        List<Map<String, Object>> lines = r.lines();
        assertEquals(3, lines.size());
        assertEquals(List.of("text", "image", "text"), lines.stream().map(l -> l.get("type")).toList());
        assertEquals(image(1), lines.get(1).get("input"));
        try (SafeTensorsFile expected = Fixtures.expected()) {
            assertClose(expected.floats("text_embeds"), 0, floats(lines.get(0).get("embedding")), 1e-4, "text 0");
            assertClose(expected.floats("image_embeds"), 32, floats(lines.get(1).get("embedding")), 1e-4, "image 1");
            assertClose(expected.floats("text_embeds"), 64, floats(lines.get(2).get("embedding")), 1e-4, "text 2");
        }
    }

    @Test
    void similarityPrintsLogitsAndProbsPerImage() {
        List<String> texts = Fixtures.texts().subList(0, 4);
        List<String> args = new ArrayList<>(List.of("similarity", "--model", model.toString(), "--image", image(0), image(4), "--text"));
        args.addAll(texts);
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        List<Map<String, Object>> lines = r.lines();
        assertEquals(2, lines.size());
        try (SafeTensorsFile expected = Fixtures.expected()) {
            float[] logits = expected.floats("logits_per_image");    // [5, 13]
            int[] imageRows = {0, 4};
            for (int k = 0; k < 2; k++) {
                assertEquals(image(imageRows[k]), lines.get(k).get("image"));
                float[] got = floats(lines.get(k).get("logits"));
                assertClose(logits, imageRows[k] * 13, got, 1e-3, "logits of image " + imageRows[k]);
                float sum = 0;
                for (float p : floats(lines.get(k).get("probs"))) {
                    sum += p;
                }
                assertEquals(1f, sum, 1e-5f);
            }
        }
    }

    @Test
    void checkpointsAreAcceptedDirectlyAsModels() {
        Result r = run("embed", "--model", Fixtures.tiny("gmp-openai.safetensors").toString(), "--text", "a cat");
        assertEquals(0, r.status(), r.err());
        try (SafeTensorsFile expected = Fixtures.expected()) {
            assertClose(expected.floats("text_embeds"), 10 * 32, floats(r.lines().getFirst().get("embedding")), 1e-4, "a cat");
        }
    }

    @Test
    void oneUnreadableImageIsReportedAndTheRestGoOn() throws IOException {
        Path broken = dir.resolve("broken.jpg");
        Files.write(broken, new byte[0]);
        Result r = run("similarity", "--model", model.toString(), "--image", image(0), broken.toString(), image(2), "--text", "a cat");
        assertEquals(1, r.status());
        assertEquals(2, r.lines().size());
        assertEquals(image(2), r.lines().get(1).get("image"));
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + broken + ": empty file"), r.err());

        Result e = run("embed", "--model", model.toString(), "--image", broken.toString(), "--text", "a dog");
        assertEquals(1, e.status());
        assertEquals(List.of("text"), e.lines().stream().map(l -> l.get("type")).toList());
    }

    @Test
    void errorsAreOneLineWithStatus2() {
        assertUsageError(run("embed", "--model", dir.resolve("missing.safetensors").toString(), "--text", "x"),
                "missing.safetensors: no such file or folder");
        assertUsageError(run("embed", "--model", model.toString(), "--text", ""), "text 1 is empty");
        assertUsageError(run("similarity", "--model", model.toString(), "--image", image(0)), "at least one --image and one --text");
        assertUsageError(run("tokenize", "--model", model.toString(), "--bogus", "x"), "unknown option --bogus");
        assertUsageError(run("tokenize", "--model"), "--model needs a value");
        assertUsageError(run("search", "--index", "x.idx", "--exact=yes", "cat"), "option --exact takes no value");
        assertUsageError(run("convert", "a"), "convert takes SRC and DST");
        assertUsageError(run("convert", "a", "b", "--dtype", "f64"), "unknown dtype 'f64'");
        assertUsageError(run("frobnicate"), "unknown command 'frobnicate'");
        assertUsageError(run("embed", "--model", Fixtures.tiny("images/camera.png").toString(), "--text", "x"), "camera.png");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Result r = run("--verbose", "embed", "--model", Fixtures.tiny("images/camera.png").toString(), "--text", "x");
        assertEquals(2, r.status());
        assertTrue(r.err().lines().count() > 1, "stack trace under --verbose");
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void aFailedConvertLeavesNothing() throws IOException {
        Path target = dir.resolve("never.safetensors");
        Result r = run("convert", Fixtures.tiny("images/camera.png").toString(), target.toString());
        assertEquals(2, r.status());
        assertFalse(Files.exists(target));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("partial")), "no temporary left");
        }
    }

    @Test
    void benchPrintsOneJsonLineOfPositiveFigures() {
        Result r = run("bench", "--model", model.toString(), "--runs", "1");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> line = r.lines().getFirst();
        for (String key : List.of("image_s", "text_s", "short_text_s", "load_s", "rss_mb")) {
            assertTrue(((Number) line.get(key)).doubleValue() > 0, key + " in " + r.out());
        }
        assertUsageError(run("bench", "--model", model.toString(), "--batch", "0"), "--batch must be a positive integer");
    }

    @Test
    void classifyRanksLabelsPerImage() throws IOException {
        Result r = run("classify", "--model", model.toString(), image(0), image(3), "--labels", "cat, dog,,car", "--top", "2");
        assertEquals(0, r.status(), r.err());
        List<Map<String, Object>> lines = r.lines();
        assertEquals(2, lines.size());
        assertEquals(image(3), lines.get(1).get("image"));
        for (Map<String, Object> line : lines) {
            assertEquals(2, ((List<?>) line.get("labels")).size(), "--top 2");
            float[] probs = floats(line.get("probs"));
            assertTrue(probs[0] >= probs[1], "best first");
            assertTrue(List.of("cat", "dog", "car").containsAll((List<?>) line.get("labels")));
        }
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "cat\n\ndog\ncar\n");
        Result all = run("classify", "--model", model.toString(), image(0), "--labels-file", labels.toString(), "--templates", "none");
        assertEquals(0, all.status(), all.err());
        float sum = 0;
        for (float p : floats(all.lines().getFirst().get("probs"))) {
            sum += p;
        }
        assertEquals(1f, sum, 1e-5f);
        Path empty = dir.resolve("empty-labels.txt");
        Files.writeString(empty, "\n \n");
        assertUsageError(run("classify", "--model", model.toString(), image(0), "--labels-file", empty.toString()), "the label list is empty");
        assertUsageError(run("classify", "--model", model.toString(), image(0), "--labels", " , "), "the label list is empty");
        assertUsageError(run("classify", "--model", model.toString(), image(0)), "exactly one of --labels and --labels-file");
        assertUsageError(run("classify", "--model", model.toString(), image(0), "--labels", "a", "--templates", "nope.txt"), "no such file");
    }

    @Test
    void describeComposesTheBestPhraseOfEachVocabulary() {
        Result r = run("describe", "--model", model.toString(), image(1), dir.resolve("gone.png").toString());
        assertEquals(1, r.status(), "the missing image is reported, the other described");
        Map<String, Object> line = r.lines().getFirst();
        assertEquals(image(1), line.get("image"));
        Map<?, ?> parts = (Map<?, ?>) line.get("parts");
        assertEquals(List.of("medium", "object", "scene", "lighting", "colour"), List.copyOf(parts.keySet()));
        String description = (String) line.get("description");
        for (Object part : parts.values()) {
            Map<?, ?> p = (Map<?, ?>) part;
            assertTrue(description.contains((String) p.get("phrase")), description + " holds " + p.get("phrase"));
            double score = ((Number) p.get("score")).doubleValue();
            assertTrue(score > 0 && score <= 1, "score " + score);
        }
        assertTrue(run("describe", "--help").out().contains("does not"), "--help says it ranks phrases, not generates text");
    }

    @Test
    void indexThenSearchByTextAndByImage() throws IOException {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos);
        for (int i = 0; i < 5; i++) {
            Files.copy(Fixtures.images().get(i), photos.resolve(Fixtures.images().get(i).getFileName()));
        }
        Path index = dir.resolve("photos.idx");
        Result built = run("index", photos.toString(), "--model", model.toString(), "--out", index.toString());
        assertEquals(0, built.status(), built.err());
        assertTrue(built.err().contains("indexed 5 images"), built.err());

        Result byImage = run("search", "--index", index.toString(), "--image", image(2), "-k", "2");
        assertEquals(0, byImage.status(), byImage.err());
        assertEquals(2, byImage.lines().size());
        assertEquals(Fixtures.images().get(2).getFileName().toString(), byImage.lines().getFirst().get("path"));
        assertEquals(1.0, ((Number) byImage.lines().getFirst().get("score")).doubleValue(), 2e-3);

        Result byText = run("search", "--index", index.toString(), "a", "photo", "of", "a", "cat");
        assertEquals(0, byText.status(), byText.err());
        assertEquals(5, byText.lines().size(), "k defaults to 10; the index has 5");

        Result longQuery = run("search", "--index", index.toString(), "word ".repeat(100).strip(), "-k", "1");
        assertEquals(0, longQuery.status(), longQuery.err());
        assertTrue(longQuery.err().contains("warning: the query has more than 77 tokens"), longQuery.err());

        Result again = run("index", photos.toString(), "--model", model.toString(), "--out", index.toString());
        assertTrue(again.err().contains("0 embedded, 5 unchanged"), again.err());

        Files.write(dir.resolve("cut.idx"), java.util.Arrays.copyOf(Files.readAllBytes(index), 100));
        assertUsageError(run("search", "--index", dir.resolve("cut.idx").toString(), "cat"), "truncated or corrupt");
        assertUsageError(run("search", "--index", index.toString()), "either a text query or --image");
        assertUsageError(run("search", "--index", index.toString(), "cat", "-k", "0"), "-k must be a positive integer");
        Path empty = dir.resolve("no-images");
        Files.createDirectories(empty);
        assertUsageError(run("index", empty.toString(), "--model", model.toString(), "--out", dir.resolve("e.idx").toString()), "no images");
    }


    @Test
    void aLibraryFolderAsPhotoToolsSeeIt() throws IOException {
        Path lib = dir.resolve("library");
        Files.createDirectories(lib.resolve("2024/.thumbnails"));
        Files.createDirectories(lib.resolve("@eaDir"));
        Files.createDirectories(lib.resolve("drafts"));
        Files.copy(Fixtures.images().get(0), lib.resolve("2024/a.png"));
        Files.copy(Fixtures.images().get(1), lib.resolve("2024/b-really-a-png.jpg"));
        Files.copy(Fixtures.images().get(2), lib.resolve("2024/.thumbnails/a.png"));
        Files.copy(Fixtures.images().get(3), lib.resolve("@eaDir/x.png"));
        Files.copy(Fixtures.images().get(4), lib.resolve("drafts/d.jpg"));
        Files.writeString(lib.resolve("notes.txt"), "a shopping list");
        Files.writeString(lib.resolve("broken.jpg"), "not a jpeg");
        Files.createSymbolicLink(lib.resolve("escape.png"), Fixtures.images().get(0).toAbsolutePath());
        Path index = dir.resolve("library.idx");
        Result built = run("index", lib.toString(), "--model", model.toString(), "--out", index.toString(), "--exclude", "drafts/**");
        assertEquals(1, built.status(), "an unreadable file makes the status 1: " + built.err());
        assertTrue(built.err().contains("error: " + lib.resolve("broken.jpg") + ": not a recognised image"), built.err());
        assertTrue(built.err().contains("skipped: escape.png: a link to a file outside"), built.err());
        assertTrue(built.err().contains("indexed 2 images into " + index), built.err());
        assertTrue(built.err().contains("2 embedded, 0 unchanged, 0 resumed, 0 removed, 1 unreadable, 1 skipped as not images (1 .txt)"), built.err());

        Result info = run("info", "--index", index.toString());
        assertEquals(0, info.status(), info.err());
        Map<String, Object> i = info.lines().getFirst();
        assertEquals(2L, i.get("images"));
        assertEquals("f16", i.get("dtype"));
        assertEquals(2L, i.get("format_version"));
        assertEquals(lib.toAbsolutePath().normalize().toString(), i.get("images_dir"));
        assertEquals(model.toAbsolutePath().normalize().toString(), i.get("model"));
        assertTrue(((Number) i.get("bytes")).longValue() > 0 && i.get("built") instanceof String);

        Result paths = run("search", "--index", index.toString(), "--image", lib.resolve("2024/a.png").toString(), "--paths", "-k", "1");
        assertEquals(List.of(lib.resolve("2024/a.png").toAbsolutePath().toString()), paths.out().lines().toList());
        Result strong = run("search", "--index", index.toString(), "--image", lib.resolve("2024/a.png").toString(), "--min-score", "0.999");
        assertEquals(1, strong.lines().size(), "only the image itself scores above 0.999: " + strong.out());
        assertTrue(((Number) strong.lines().getFirst().get("score")).doubleValue() <= 1.0, "cosines are clamped to 1");
        Result exact = run("search", "--index", index.toString(), "cat", "--exact");
        assertEquals(2, exact.lines().size());
        assertUsageError(run("search", "--index", index.toString(), "cat", "--min-score", "2"), "--min-score must be a cosine similarity from -1 to 1");
        assertUsageError(run("info", "--index", dir.resolve("nothing.idx").toString()), "no such index file");
        assertUsageError(run("info", "--index", lib.toString()), "is a folder, not an index file");
    }
    @Test
    void helpListsTheCommands() {
        Result r = run("--help");
        assertEquals(0, r.status());
        for (String c : List.of("convert", "tokenize", "preprocess", "embed", "similarity", "classify", "describe", "index", "search", "export", "serve", "bench")) {
            assertTrue(r.out().contains(c), c);
        }
    }

    @Test
    void serveRefusesBadOptionsBeforeListening() throws IOException {
        assertUsageError(run("serve", "--model", model.toString(), "--port", "http"), "--port must be a positive integer");
        assertUsageError(run("serve", "--model", model.toString(), "--token-file", dir.resolve("none.txt").toString()), "no such file");
        Path blank = dir.resolve("blank-token.txt");
        Files.writeString(blank, "  \n");
        assertUsageError(run("serve", "--model", model.toString(), "--token-file", blank.toString()), "one token on one line");
        assertUsageError(run("serve", "--model", model.toString(), "--images", dir.toString()), "give --index too");
        assertUsageError(run("serve", "--model", model.toString(), "--queue", "0"), "--queue must be a positive integer");
        assertUsageError(run("serve", "--index", dir.resolve("missing.idx").toString()), "no such index file");
    }

    @Test
    void textsOfOnlyNoBreakOrOtherUnicodeSpacesAreBlank() {
        for (String blank : List.of("\u00a0\u00a0", "\u2007", "\u202f \u0085", "\t")) {
            assertUsageError(run("embed", "--model", model.toString(), "--text", blank), "text 1 is empty or only spaces");
        }
    }

    @Test
    void anIndexWhoseModelIsGoneSaysSoInsteadOfNamingAModelTheUserNeverGave() throws IOException {
        Path copy = dir.resolve("moved-model.safetensors");
        Files.copy(model, copy);
        Path photos = dir.resolve("one-photo");
        Files.createDirectories(photos);
        Files.copy(Fixtures.images().getFirst(), photos.resolve("a.png"));
        Path index = dir.resolve("one.idx");
        assertEquals(0, run("index", photos.toString(), "--model", copy.toString(), "--out", index.toString()).status());
        Files.delete(copy);
        assertUsageError(run("search", "--index", index.toString(), "cat"),
                index + " was built with the model " + copy.toAbsolutePath() + ", which is not there any more; give the model with --model");
        assertEquals(0, run("search", "--index", index.toString(), "cat", "--model", model.toString()).status());
        assertUsageError(run("search", "--index", photos.toString(), "cat"), "is a folder, not an index file");
    }

    @Test
    void versionSaysJclipJavaAndKernels() {
        Result r = run("--version");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("jclip "), r.out());
        assertTrue(lines.get(1).startsWith("Java " + Runtime.version().feature()), r.out());
        assertTrue(lines.get(2).startsWith("kernels: simd-") || lines.get(2).startsWith("kernels: scalar"), r.out());
    }

    @Test
    void helpForACommandListsItsOptionsOneLineEach() {
        for (Result r : List.of(run("help", "search"), run("search", "--help"))) {
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().startsWith("usage: ./clip search --index INDEX"), r.out());
            for (String option : List.of("--index", "--image", "-k", "--min-score", "--paths", "--exact", "--model")) {
                assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  " + option + " ") && l.strip().length() > option.length() + 10),
                        option + " is described: " + r.out());
            }
        }
    }
}
