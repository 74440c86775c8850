package dev.jclip.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that appear whole or not at all, and the partial files a killed writer leaves behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aKilledWritersStalePartialIsRemovedByTheNextWriteAndAFreshOneIsLeftAlone() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Path stale = dir.resolve(".model.safetensors.123.partial");   // as a kill -9 during convert leaves it
        Path fresh = dir.resolve(".model.safetensors.456.partial");   // perhaps another writer, right now
        Path other = dir.resolve(".other.safetensors.789.partial");
        for (Path p : new Path[] {stale, fresh, other}) {
            Files.write(p, new byte[] {1, 2, 3});
        }
        FileTime old = FileTime.from(Instant.now().minus(AtomicFiles.STALE_AFTER).minusSeconds(60));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(other, old);
        AtomicFiles.write(target, new byte[] {42});
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(target));
        assertTrue(Files.notExists(stale), "the stale partial of this target is gone");
        assertTrue(Files.exists(fresh), "a recent partial may belong to a writer still at work");
        assertTrue(Files.exists(other), "another target's partial is not ours to remove");
    }
}
