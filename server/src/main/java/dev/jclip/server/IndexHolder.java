package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.index.IndexException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The index being served. Given its file, it looks at the file at most once a second and, when
 * {@code ./clip index} has replaced it (a new file renamed over the old: another inode, mtime or
 * size), serves the new one from the next request on, without a restart. The old index stays mapped
 * for a minute, so that requests already using it finish; then it is closed. A replacement that
 * cannot be opened, or was built with another model, is reported once and the old index kept.
 */
final class IndexHolder implements AutoCloseable {
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;
    static final Duration RETIRE_AFTER = Duration.ofMinutes(1);

    private final Path file;          // null: a fixed index, never reloaded
    private final ClipModel clip;
    private volatile ImageIndex current;
    private volatile int generation;
    private Object stamp;
    private long lastCheck;
    private Object refusedStamp;

    private IndexHolder(Path file, ClipModel clip, ImageIndex index) {
        this.file = file;
        this.clip = clip;
        this.current = index;
        this.stamp = file == null ? null : stamp(file);
        this.lastCheck = System.nanoTime();
    }

    /** An index that is served as it is (the Java API's caller owns it). */
    static IndexHolder fixed(ImageIndex index) {
        return new IndexHolder(null, null, index);
    }

    /** The index in {@code file}, reopened whenever the file is replaced. */
    static IndexHolder watching(Path file, ClipModel clip) {
        ImageIndex index = ImageIndex.open(file);
        index.checkModel(clip);
        return new IndexHolder(file, clip, index);
    }

    /** The index to use for this request, or null when none is served. */
    ImageIndex current() {
        if (file != null && System.nanoTime() - lastCheck >= CHECK_EVERY_NANOS) {
            reloadIfReplaced();
        }
        return current;
    }

    /** Counts replacements, so that caches keyed by entry number know when to forget. */
    int generation() {
        return generation;
    }

    private synchronized void reloadIfReplaced() {
        if (System.nanoTime() - lastCheck < CHECK_EVERY_NANOS) {
            return; // another request checked meanwhile
        }
        lastCheck = System.nanoTime();
        Object now = stamp(file);
        if (now == null || now.equals(stamp) || now.equals(refusedStamp)) {
            return;
        }
        ImageIndex next;
        try {
            next = ImageIndex.open(file);
            next.checkModel(clip);
        } catch (IndexException e) {
            refusedStamp = now;
            System.err.println("warning: " + file + " was replaced but cannot be served (" + e.getMessage()
                    + "); still serving the previous index");
            return;
        }
        ImageIndex old = current;
        current = next;
        stamp = now;
        generation++;
        System.err.println("reloaded " + file + ": " + next.size() + " indexed images");
        Thread.ofVirtual().name("index-retire").start(() -> {
            try {
                Thread.sleep(RETIRE_AFTER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            old.close();
        });
    }

    /** What identifies one version of the file: its inode (a rename changes it), mtime and size. */
    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(Objects.toString(a.fileKey()), a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException e) {
            return null; // being replaced right now, or gone: look again next time
        }
    }

    /** Closes the index this holder opened; a fixed index belongs to the caller. */
    @Override
    public void close() {
        if (file != null && current != null) {
            current.close();
        }
    }
}
