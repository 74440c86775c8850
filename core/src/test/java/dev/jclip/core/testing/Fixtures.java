package dev.jclip.core.testing;

import dev.jclip.core.json.Json;
import dev.jclip.core.safetensors.SafeTensorsFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference fixtures in {@code src/test/fixtures} at the repository root. A missing fixture is an
 * error, never a skipped test.
 */
public final class Fixtures {
    private static final Path ROOT = findRoot();

    private Fixtures() {
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("src/test/fixtures");
            if (Files.isRegularFile(candidate.resolve("clip-tiny/cases.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("src/test/fixtures/clip-tiny not found above " + dir);
    }

    /** A fixture file that must exist: a missing one is an error, never a skipped test. */
    private static Path existing(Path p) {
        if (!Files.exists(p)) {
            throw new IllegalStateException("fixture missing: " + p);
        }
        return p;
    }

    /** {@code src/test/fixtures/clip-tiny}. */
    public static Path tiny() {
        return ROOT.resolve("clip-tiny");
    }

    public static Path tiny(String relative) {
        return existing(tiny().resolve(relative));
    }

    public static Path moreImages(String name) {
        return existing(ROOT.resolve("more-images").resolve(name));
    }

    /** The three checkpoint layouts of the same tiny model. */
    public static List<Path> layouts() {
        return List.of(tiny("hf"), tiny("openai-fp16.safetensors"), tiny("gmp-openai.safetensors"));
    }

    public static Map<String, Object> cases() {
        try {
            return Json.parseObject(Files.readString(tiny("cases.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static List<String> texts() {
        return (List<String>) cases().get("texts");
    }

    @SuppressWarnings("unchecked")
    public static List<Path> images() {
        List<Path> out = new ArrayList<>();
        for (Object name : (List<Object>) cases().get("images")) {
            out.add(tiny("images/" + name));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public static List<int[]> inputIds() {
        List<int[]> out = new ArrayList<>();
        for (Object row : (List<Object>) cases().get("input_ids")) {
            List<Object> ids = (List<Object>) row;
            out.add(ids.stream().mapToInt(o -> ((Long) o).intValue()).toArray());
        }
        return out;
    }

    /** {@code src/test/fixtures/webp}: small WebP files beside the RGB Pillow decodes from them (made by scripts/fixtures/make_webp_fixtures.py). */
    public static Path webp(String name) {
        return existing(ROOT.resolve("webp").resolve(name));
    }

    /** {@code src/test/fixtures/parquet}: embedding tables as pyarrow writes them, and expected.json (made by scripts/fixtures/make_parquet_fixtures.py). */
    public static Path parquet(String name) {
        return existing(ROOT.resolve("parquet").resolve(name));
    }

    /** {@code src/test/fixtures/tiff}: TIFF files beside the RGB Pillow decodes from them (made by scripts/fixtures/make_tiff_fixtures.py). */
    public static Path tiff(String name) {
        return existing(ROOT.resolve("tiff").resolve(name));
    }

    /** {@code src/test/fixtures/gif}: GIF files in awkward states (see its README). */
    public static Path gif(String name) {
        return existing(ROOT.resolve("gif").resolve(name));
    }

    /** {@code src/test/fixtures/photos}: images in the formats and states photo libraries hold. */
    public static Path photos(String relative) {
        return existing(ROOT.resolve("photos").resolve(relative));
    }

    /** One photo fixture: its file, whether its decoded pixels are fully determined ("lossless"), its row in the expected tensors. */
    public record Photo(Path path, boolean lossless, int index) {
        public String name() {
            return path.getFileName().toString();
        }
    }

    /** The photo fixtures in the order of {@code photos/expected.safetensors}. */
    @SuppressWarnings("unchecked")
    public static List<Photo> photos() {
        Map<String, Object> cases;
        try {
            cases = Json.parseObject(Files.readString(photos("cases.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Object> names = (List<Object>) cases.get("images");
        List<Object> kinds = (List<Object>) cases.get("kinds");
        List<Photo> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            out.add(new Photo(photos("images/" + names.get(i)), "lossless".equals(kinds.get(i)), i));
        }
        return out;
    }

    /** {@code photos/expected.safetensors}: transformers' pixel_values [16, 3, 224, 224] and image_embeds [16, E]. */
    public static SafeTensorsFile photosExpected() {
        return SafeTensorsFile.open(photos("expected.safetensors"));
    }

    /** {@code expected.safetensors}: the float64 reference outputs, stored as F32. */
    public static SafeTensorsFile expected() {
        return SafeTensorsFile.open(tiny("expected.safetensors"));
    }
}
