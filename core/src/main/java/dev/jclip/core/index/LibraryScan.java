package dev.jclip.core.index;

import dev.jclip.core.image.ImageFormat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a photo library folder holds, the way a photo tool sees it: image files told by their content
 * (a PNG named {@code .jpg} is an image, a {@code notes.txt} is not), hidden folders and the thumbnail
 * caches that NAS boxes, desktops and macOS leave behind skipped, {@code --exclude} globs honoured, and
 * symbolic links followed only while they stay inside the folder.
 */
final class LibraryScan {
    /** Thumbnail and metadata caches: their images are copies, not photos. */
    static final Set<String> CACHE_FOLDERS = Set.of(".thumbnails", "@eaDir", ".AppleDouble", ".Trashes", "__MACOSX",
            ".Spotlight-V100", ".fseventsd", "#recycle", "$RECYCLE.BIN");

    /** The result: candidate images (sorted), files that are not images (counted by extension), and links left out. */
    record Result(List<Path> images, TreeMap<String, Integer> skippedByExtension, List<String> problems) {
        int skipped() {
            return skippedByExtension.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private LibraryScan() {
    }

    /**
     * Walks {@code dir}. {@code excludes} are globs matched against paths relative to {@code dir}
     * ('/'-separated; {@code **} crosses folders), against folders (skipping all below) and files.
     */
    static Result scan(Path dir, List<String> excludes) throws IOException {
        Path root = dir.toRealPath();
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : excludes) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
        List<Path> images = new ArrayList<>();
        TreeMap<String, Integer> skipped = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.equals(dir)) {
                    return FileVisitResult.CONTINUE;
                }
                String name = d.getFileName().toString();
                if (name.startsWith(".") || CACHE_FOLDERS.contains(name) || excluded(d)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!inside(d)) {
                    problems.add(relative(dir, d) + ": a link to a folder outside " + dir + "; not followed");
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                String name = f.getFileName().toString();
                if (!attrs.isRegularFile() || name.startsWith(".") || excluded(f)) {
                    return FileVisitResult.CONTINUE;
                }
                if (!inside(f)) {
                    problems.add(relative(dir, f) + ": a link to a file outside " + dir + "; not indexed");
                    return FileVisitResult.CONTINUE;
                }
                if (ImageFormat.promisedByName(name) || looksLikeAnImage(f)) {
                    images.add(f);
                } else {
                    skipped.merge(extension(name), 1, Integer::sum);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                String why = e instanceof FileSystemLoopException ? "a link that loops back to a folder above it"
                        : e instanceof AccessDeniedException ? "permission denied"
                        : e instanceof NoSuchFileException ? "a broken link or a file that vanished"
                        : "cannot be read";
                problems.add(relative(dir, f) + ": " + why + "; skipped");
                return FileVisitResult.CONTINUE;
            }

            private boolean excluded(Path p) {
                Path rel = Path.of(relative(dir, p));
                for (PathMatcher m : matchers) {
                    if (m.matches(rel) || m.matches(rel.getFileName())) {
                        return true;
                    }
                }
                return false;
            }

            private boolean inside(Path p) throws IOException {
                return p.toRealPath().startsWith(root);
            }
        });
        images.sort(null);
        return new Result(images, skipped, problems);
    }

    /** Whether the file's first bytes are those of an image format, decodable or not (those then fail with a clear reason). */
    private static boolean looksLikeAnImage(Path f) {
        byte[] head = new byte[64];
        try (InputStream in = Files.newInputStream(f)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n < head.length) {
                head = Arrays.copyOf(head, n);
            }
        } catch (IOException e) {
            return true; // unreadable: let the build report it as a failure with the reason
        }
        ImageFormat format = ImageFormat.sniff(head);
        return format != null && format != ImageFormat.PDF && format != ImageFormat.SVG;
    }

    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "(none)";
    }

    static String relative(Path dir, Path p) {
        return dir.relativize(p).toString().replace(File.separatorChar, '/');
    }
}
