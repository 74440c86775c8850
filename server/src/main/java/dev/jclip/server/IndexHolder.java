package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.index.IndexException;
import dev.jclip.lucene.AnnIndex;
import dev.jclip.lucene.IndexSearch;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * cannot be opened, or was built with another model, is reported once and the old index kept. The
 * Lucene graph beside the file ({@code INDEX.lucene}) is used when it was built from the index as it
 * is; a graph that arrives later (built after the index) is picked up the same way.
 */
final class IndexHolder implements AutoCloseable {
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;
    static final Duration RETIRE_AFTER = Duration.ofMinutes(1);

    private final Path file;          // null: a fixed index, never reloaded
    private final ClipModel clip;
    private volatile IndexSearch current; // the index and, when current, its Lucene graph: replaced together
    private volatile int generation;
    private Object stamp;
    private long lastCheck;
    private Object refusedStamp;

    private IndexHolder(Path file, ClipModel clip, IndexSearch index) {
        this.file = file;
        this.clip = clip;
        this.current = index;
        this.stamp = file == null ? null : stamp(file);
        this.lastCheck = System.nanoTime();
    }

    /** An index that is served as it is (the Java API's caller owns it). */
    static IndexHolder fixed(ImageIndex index) {
        return new IndexHolder(null, null, index == null ? null : IndexSearch.flatOnly(index));
    }

    /** The index in {@code file}, reopened whenever the file is replaced. */
    static IndexHolder watching(Path file, ClipModel clip) {
        ImageIndex index = ImageIndex.open(file);
        index.checkModel(clip);
        return new IndexHolder(file, clip, withGraph(file, index));
    }

    /** The index to use for this request, or null when none is served. */
    ImageIndex current() {
        IndexSearch s = currentSearch();
        return s == null ? null : s.flat();
    }

    /** The index with its graph (when current) to search for this request, or null when none is served. */
    IndexSearch currentSearch() {
        if (file != null && System.nanoTime() - lastCheck >= CHECK_EVERY_NANOS) {
            reloadIfReplaced();
        }
        return current;
    }

    /** {@code index} with the Lucene graph beside {@code file}, if it was built from this index; a stale one is said once. */
    private static IndexSearch withGraph(Path file, ImageIndex index) {
        IndexSearch s = IndexSearch.open(file, index);
        if (s.staleWarning() != null) {
            System.err.println(s.staleWarning());
        }
        return s;
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
        IndexSearch next;
        try {
            ImageIndex opened = ImageIndex.open(file);
            try {
                opened.checkModel(clip);
                next = withGraph(file, opened);
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
        } catch (IndexException | UncheckedIOException e) {
            refusedStamp = now;
            System.err.println("warning: " + file + " was replaced but cannot be served (" + e.getMessage()
                    + "); still serving the previous index");
            return;
        }
        IndexSearch old = current;
        current = next;
        stamp = now;
        generation++;
        System.err.println("reloaded " + file + ": " + next.flat().size() + " indexed images"
                + (next.graphState() == AnnIndex.State.CURRENT ? ", with its Lucene graph" : ""));
        Thread.ofVirtual().name("index-retire").start(() -> {
            try {
                Thread.sleep(RETIRE_AFTER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            old.close();
            old.flat().close();
        });
    }

    /**
     * What identifies one version of the file: its inode (a rename changes it), mtime and size; and
     * the same of the graph folder beside it, which {@code ./clip index} renames into place after the
     * file, so that a new graph is picked up when it arrives.
     */
    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Path graph = AnnIndex.besideIndex(file);
            Object g = Files.isDirectory(graph) ? versionOf(Files.readAttributes(graph, BasicFileAttributes.class)) : "no graph";
            return List.of(versionOf(a), g);
        } catch (IOException e) {
            return null; // being replaced right now, or gone: look again next time
        }
    }

    private static Object versionOf(BasicFileAttributes a) {
        return List.of(Objects.toString(a.fileKey()), a.lastModifiedTime().toMillis(), a.size());
    }

    /** Closes the index this holder opened; a fixed index belongs to the caller. */
    @Override
    public void close() {
        if (file != null && current != null) {
            current.close();
            current.flat().close();
        }
    }
}
