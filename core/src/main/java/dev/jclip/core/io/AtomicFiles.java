package dev.jclip.core.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files that appear whole or not at all: written beside the target, then renamed over it. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** A partial file this old was left by a process that died (kill -9, power cut): no write takes an hour. */
    static final Duration STALE_AFTER = Duration.ofHours(1);

    /**
     * A new empty temporary file in {@code target}'s folder, readable by others like any data file.
     * Partial files of the same target left behind by a killed writer, untouched for an hour, are
     * removed first.
     */
    public static Path temporaryBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        removeStalePartials(dir, target.getFileName().toString());
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
        // createTempFile makes the file private (0600); a model or index file is ordinary data.
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }

    private static void removeStalePartials(Path dir, String name) throws IOException {
        Instant cutoff = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, "." + name + ".*.partial")) {
            for (Path p : partials) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Renames a finished temporary file over {@code target}, atomically where the file system can. */
    public static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code bytes} to {@code target}, replacing it only when complete. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = temporaryBeside(target);
        try {
            Files.write(tmp, bytes);
            moveInto(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
