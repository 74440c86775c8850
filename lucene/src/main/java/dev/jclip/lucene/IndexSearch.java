package dev.jclip.lucene;

import dev.jclip.core.index.ImageIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code ./clip search} and {@code ./clip serve} search an index file: through the Lucene graph
 * beside it when there is one built from the index as it is now, else by the flat index's own search.
 * A graph that is out of date is never used (its {@link #graphState()} says so, for a warning).
 */
public final class IndexSearch implements AutoCloseable {
    private final ImageIndex flat;
    private final Path indexFile;          // null: a flat index given as it is
    private final AnnIndex graph;          // null: the flat index's own search
    private final AnnIndex.State graphState;

    private IndexSearch(ImageIndex flat, Path indexFile, AnnIndex graph, AnnIndex.State graphState) {
        this.flat = flat;
        this.indexFile = indexFile;
        this.graph = graph;
        this.graphState = graphState;
    }

    /** The flat index alone, whatever lies beside it. */
    public static IndexSearch flatOnly(ImageIndex flat) {
        return new IndexSearch(flat, null, null, AnnIndex.State.ABSENT);
    }

    /** {@code flat} (opened from {@code indexFile}) with its graph if that is current. */
    public static IndexSearch open(Path indexFile, ImageIndex flat) {
        try {
            AnnIndex.State state = AnnIndex.state(indexFile, flat);
            return new IndexSearch(flat, indexFile, state == AnnIndex.State.CURRENT ? AnnIndex.open(indexFile) : null, state);
        } catch (IOException e) {
            throw new UncheckedIOException(AnnIndex.besideIndex(indexFile) + ": cannot be read (" + e.getMessage()
                    + "); delete it to search without it, or build the index again with --ann", e);
        }
    }

    public ImageIndex flat() {
        return flat;
    }

    /** Whether a graph lies beside the index, and whether it is in use (CURRENT) or out of date (STALE). */
    public AnnIndex.State graphState() {
        return graphState;
    }

    /** What to tell the user when the graph is out of date (and so unused); null otherwise. */
    public String staleWarning() {
        if (graphState != AnnIndex.State.STALE) {
            return null;
        }
        return "warning: " + AnnIndex.besideIndex(indexFile) + " was built from an earlier " + indexFile
                + "; searching without it (run ./clip index again with --ann to rebuild it)";
    }

    /** The {@code k} nearest images, best first: through the graph when it is current, else the flat index's {@link ImageIndex#search}. */
    public List<ImageIndex.Hit> search(float[] query, int k) {
        if (graph == null) {
            return flat.search(query, k);
        }
        try {
            return graph.search(flat, query, k);
        } catch (IOException e) {
            throw new UncheckedIOException("the graph beside the index cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Closes the graph; the flat index belongs to the caller. */
    @Override
    public void close() {
        if (graph != null) {
            try {
                graph.close();
            } catch (IOException e) {
                // closing a read-only reader: nothing is lost
            }
        }
    }
}
