package dev.jclip.core.index;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building, searching and re-building an index of the fixture images with the tiny model. */
class ImageIndexTest {
    private static ClipModel clip;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        clip = ClipModel.load(Converter.open(Fixtures.tiny("hf")));
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    private Path photos() throws IOException {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos.resolve("more"));
        for (Path p : Fixtures.images()) {
            Files.copy(p, photos.resolve(p.getFileName()));
        }
        Files.copy(Fixtures.moreImages("palette_color.png"), photos.resolve("more/palette.png"));
        Files.writeString(photos.resolve("more/broken.jpg"), "not a jpeg");
        Files.writeString(photos.resolve("notes.txt"), "not an image, not even by name");
        return photos;
    }

    @Test
    void everyImageFindsItselfFirst() throws IOException {
        Path photos = photos();
        Path out = dir.resolve("photos.idx");
        ImageIndex.BuildReport r = ImageIndex.build(clip, "tiny", photos, out, true, ImageIndex.Progress.NONE);
        assertEquals(6, r.indexed());
        assertEquals(6, r.embedded());
        assertEquals(1, r.failed().size());
        assertTrue(r.failed().getFirst().contains("broken.jpg"), r.failed().getFirst());
        try (ImageIndex index = ImageIndex.open(out)) {
            assertEquals(List.of("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "more/palette.png", "rocket.jpg"), index.paths());
            for (String path : index.paths()) {
                List<ImageIndex.Hit> hits = index.search(clip.encodeImage(photos.resolve(path)), 3);
                assertEquals(path, hits.getFirst().path());
                assertEquals(1.0, hits.getFirst().score(), 2e-3, "F16 storage rounds the cosine");
            }
            assertEquals(2, index.search(clip.encodeText("a photo of a cat"), 2).size());
        }
    }

    @Test
    void rebuildingEmbedsOnlyWhatChangedAndDropsWhatIsGone() throws IOException {
        Path photos = photos();
        Path out = dir.resolve("photos.idx");
        ImageIndex.build(clip, "tiny", photos, out, true, ImageIndex.Progress.NONE);
        byte[] first = Files.readAllBytes(out);

        ImageIndex.BuildReport again = ImageIndex.build(clip, "tiny", photos, out, true, ImageIndex.Progress.NONE);
        assertEquals(0, again.embedded());
        assertEquals(6, again.reused());
        assertArrayEquals(first, Files.readAllBytes(out), "an unchanged folder gives the same file");

        Files.copy(Fixtures.tiny("images/camera.png"), photos.resolve("chelsea.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(photos.resolve("chelsea.png"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Files.delete(photos.resolve("coffee.png"));
        ImageIndex.BuildReport changed = ImageIndex.build(clip, "tiny", photos, out, true, ImageIndex.Progress.NONE);
        assertEquals(1, changed.embedded(), "only the changed file");
        assertEquals(4, changed.reused());
        assertEquals(1, changed.removed());
        try (ImageIndex index = ImageIndex.open(out)) {
            assertFalse(index.paths().contains("coffee.png"), "the deleted file is gone");
            for (ImageIndex.Hit h : index.search(clip.encodeImage(Fixtures.tiny("images/coffee.png")), 10)) {
                assertFalse(h.path().equals("coffee.png"));
            }
            // chelsea.png now holds the camera picture, so the camera query finds both, equally.
            List<ImageIndex.Hit> hits = index.search(clip.encodeImage(Fixtures.tiny("images/camera.png")), 2);
            assertEquals(List.of("camera.png", "chelsea.png"), hits.stream().map(ImageIndex.Hit::path).sorted().toList());
        }
    }

    @Test
    void anotherModelIsRefused() throws IOException {
        Path out = dir.resolve("photos.idx");
        Path photos = photos();
        ImageIndex.build(clip, "tiny", photos, out, false, ImageIndex.Progress.NONE);
        Path bf16 = dir.resolve("bf16.safetensors");
        Converter.convert(Fixtures.tiny("hf"), bf16, DType.BF16);
        try (ClipModel other = ClipModel.load(bf16); ImageIndex index = ImageIndex.open(out)) {
            IndexException e = assertThrows(IndexException.class, () -> index.checkModel(other));
            assertTrue(e.getMessage().contains("built with another model"), e.getMessage());
            index.checkModel(clip);
            IndexException update = assertThrows(IndexException.class,
                    () -> ImageIndex.build(other, "bf16", photos, out, false, ImageIndex.Progress.NONE));
            assertTrue(update.getMessage().contains("cannot be updated; delete it, or write the new index to another file"),
                    update.getMessage());
        }
    }

    @Test
    void aFolderWithoutImagesIsAnErrorAndWritesNothing() throws IOException {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty.resolve("sub"));
        Files.writeString(empty.resolve("sub/readme.txt"), "no pictures here");
        Path out = dir.resolve("empty.idx");
        IndexException e = assertThrows(IndexException.class,
                () -> ImageIndex.build(clip, "tiny", empty, out, true, ImageIndex.Progress.NONE));
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
