package dev.jclip.core.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a library folder's walk takes, skips and reports. */
class LibraryScanTest {
    @TempDir
    Path dir;

    private static final byte[] PNG_START = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};

    private void file(String rel, byte[] content) throws IOException {
        Path p = dir.resolve("lib").resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }

    @Test
    void takesImagesByContentSkipsCachesAndReportsLinksThatLeave() throws IOException {
        file("2024/beach.jpg", PNG_START);            // an image whose name lies
        file("2024/scan", PNG_START);                 // an image without an extension
        file("2024/broken.jpg", "oops".getBytes());   // promises an image: kept, to fail with a reason
        file("notes.txt", "hello".getBytes());
        file("clip.mp4", new byte[100]);
        file("raw/IMG_1.CR2", "II*\0\u0010\0\0\0CR\u0002\0".getBytes());
        file(".hidden/a.png", PNG_START);
        file("@eaDir/beach.jpg/SYNOPHOTO_THUMB_XL.jpg", PNG_START);
        file(".thumbnails/large/x.png", PNG_START);
        file("__MACOSX/._beach.jpg", PNG_START);
        file("drafts/d1.png", PNG_START);
        file("2024/.DS_Store", new byte[10]);
        Path outside = dir.resolve("elsewhere");
        Files.createDirectories(outside);
        Files.write(outside.resolve("secret.png"), PNG_START);
        Path lib = dir.resolve("lib");
        Files.createSymbolicLink(lib.resolve("secret-link.png"), outside.resolve("secret.png"));
        Files.createSymbolicLink(lib.resolve("away"), outside);
        Files.createSymbolicLink(lib.resolve("inside-link.png"), lib.resolve("2024/scan"));

        LibraryScan.Result r = LibraryScan.scan(lib, List.of("drafts/**"));
        List<String> images = r.images().stream().map(p -> LibraryScan.relative(lib, p)).toList();
        assertEquals(List.of("2024/beach.jpg", "2024/broken.jpg", "2024/scan", "inside-link.png", "raw/IMG_1.CR2"), images);
        assertEquals(Map.of("mp4", 1, "txt", 1), r.skippedByExtension());
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("secret-link.png: a link to a file outside")), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("away: a link to a folder outside")), r.problems().toString());
    }

    @Test
    void excludesMatchFileNamesAndPaths() throws IOException {
        file("a/keep.png", PNG_START);
        file("a/skip.png", PNG_START);
        file("b/tmp/x.png", PNG_START);
        Path lib = dir.resolve("lib");
        LibraryScan.Result r = LibraryScan.scan(lib, List.of("skip.png", "b/tmp"));
        assertEquals(List.of(lib.resolve("a/keep.png")), r.images());
    }
}
