package dev.jclip.core.image;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions the image tests share: same pixels as a reference decode, and refusals that name the file. */
final class ImageAssertions {
    private ImageAssertions() {
    }

    /** {@code file} decodes to exactly the pixels of {@code expectedPng} (the reference's decode, stored losslessly). */
    static void assertSamePixels(Path file, Path expectedPng) {
        RgbImage got = ImageLoader.load(file);
        RgbImage want = ImageLoader.load(expectedPng);
        assertEquals(want.width(), got.width(), file + ": width");
        assertEquals(want.height(), got.height(), file + ": height");
        assertArrayEquals(want.rgb(), got.rgb(), file + ": every pixel as the reference decodes it");
    }

    /** Loading {@code file} fails with one message that starts with the file's name and mentions each fragment. */
    static void assertRefused(Path file, String... fragments) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageLoader.load(file), file.toString());
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
    }
}
