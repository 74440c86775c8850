package dev.jclip.core.index;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.tensor.Float16s;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Precision;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A folder of images embedded once, searched by text or by image: unit-length image embeddings stored
 * contiguously (F16 by default) after a FlatBuffers header, memory-mapped whatever the size, so a
 * search is one SIMD scan. Building again re-embeds only new or changed files (path, size, mtime) and
 * drops deleted ones; an interrupted build goes on where it stopped ({@link IndexBuilder}).
 */
public final class ImageIndex implements AutoCloseable {
    /** One indexed image: its path relative to the indexed folder, its size and mtime when embedded. */
    public record Entry(String path, long size, long mtimeMs) {
    }

    /** One search result: the image's entry number, its path relative to the indexed folder, and its cosine similarity. */
    public record Hit(int id, String path, float score) {
    }

    /**
     * What a build did: {@code indexed} entries in the finished index; of those {@code embedded} now,
     * {@code reused} unchanged from the previous index, {@code resumed} from an interrupted build's
     * journal; {@code removed} entries of the previous index whose files are gone; {@code failed} one
     * "path: reason" per unreadable image; files that are not images, counted by extension; and
     * {@code skippedLinks} "path: reason" for links that leave the folder or cannot be followed.
     */
    public record BuildReport(int indexed, int embedded, int reused, int resumed, int removed, List<String> failed,
                              Map<String, Integer> notImages, List<String> skippedLinks) {
        public int notImageCount() {
            return notImages.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Told after each batch how many of the images that needed embedding are done, and of each failure as it is met. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(int done, int total);

        /** One image that could not be embedded: "path: reason". */
        default void failed(String failure) {
        }
    }

    private final Path file;
    private final Arena arena;
    private final IndexFile.Header header;
    private static final ValueLayout.OfFloat SCALE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** From this many entries a search scans the int8 codes first; below it, the exact scan is cheap. */
    static final int APPROXIMATE_FROM = 50_000;
    private final Matrix vectors;   // [entries, E] unit-length rows
    private final MemorySegment codes;  // [entries, padded E / 2] 4-bit codes of the same rows, or null (version 1)
    private final MemorySegment scales; // [entries] F32, one per code row

    private ImageIndex(Path file, Arena arena, IndexFile.Header header, Matrix vectors, MemorySegment codes, MemorySegment scales) {
        this.file = file;
        this.arena = arena;
        this.header = header;
        this.vectors = vectors;
        this.codes = codes;
        this.scales = scales;
    }

    /**
     * Maps an index file of any size; a missing, foreign, truncated or other-version file is an
     * {@link IndexException} naming the file.
     */
    public static ImageIndex open(Path file) {
        if (Files.isDirectory(file)) {
            throw new IndexException(file + ": is a folder, not an index file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            IndexFile.Header h = IndexFile.read(seg, file.toString());
            int width = IndexFile.width(h.dtype());
            if (width < 0 || h.dim() <= 0 || h.dim() > IndexFile.MAX_DIM || (long) h.entries().size() * h.dim() * width != h.vectorsLength()
                    || h.vectorsOffset() + h.vectorsLength() > seg.byteSize()) {
                throw new IndexException(file + ": truncated or corrupt index (" + h.entries().size() + " entries of "
                        + h.dim() + " values do not fit the file's " + seg.byteSize() + " bytes)");
            }
            int n = h.entries().size();
            Matrix m = Matrix.wrap(seg.asSlice(h.vectorsOffset(), h.vectorsLength()),
                    width == 2 ? Precision.F16 : Precision.F32, n, h.dim());
            IndexFile.Layout layout = h.layout();
            MemorySegment codes = layout == null ? null : seg.asSlice(layout.codesOffset(), (long) n * Quantized.codeBytes(h.dim()));
            MemorySegment scales = layout == null ? null : seg.asSlice(layout.scalesOffset(), 4L * n);
            return new ImageIndex(file, arena, h, m, codes, scales);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new IndexException(file + ": no such index file");
        } catch (IOException e) {
            arena.close();
            throw new IndexException(file + ": cannot be read (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public int size() {
        return header.entries().size();
    }

    public int dim() {
        return header.dim();
    }

    /** How the vectors are stored: "f16" or "f32". */
    public String dtypeName() {
        return header.dtype() == IndexFile.DTYPE_F16 ? "f16" : "f32";
    }

    /** The file's format version: 1 (vectors inside the FlatBuffer) or 2 (after it, with 4-bit codes). */
    public int formatVersion() {
        return header.formatVersion();
    }

    public String modelId() {
        return header.modelId();
    }

    /** The {@code --model} the index was built with. */
    public String modelSource() {
        return header.modelSource();
    }

    public List<String> paths() {
        return header.entries().stream().map(IndexFile.Entry::path).toList();
    }

    /** The path of entry {@code id}, relative to {@link #imagesDir()}, '/'-separated. */
    public String path(int id) {
        return header.entries().get(id).path();
    }

    /** The absolute path of the folder that was indexed, or null for an index written before it was recorded. */
    public Path imagesDir() {
        return header.imagesDir().isEmpty() ? null : Path.of(header.imagesDir());
    }

    /** Refuses a model other than the one that built the index: their embeddings are not comparable. */
    public void checkModel(ClipModel clip) {
        if (!clip.modelId().equals(modelId())) {
            throw new IndexException(file + ": built with another model (" + modelSource() + ", id " + modelId()
                    + "), not this one (id " + clip.modelId() + "); search with that model or build the index again");
        }
    }

    /** The {@code k} images most similar to {@code query} (any length; normalised here), best first. */
    public List<Hit> search(float[] query, int k) {
        checkQuery(query, k);
        float[] unit = EmbeddingMath.normalized(query);
        if (codes != null && size() >= APPROXIMATE_FROM) {
            return searchCodesThenRerank(unit, k);
        }
        return exact(unit, k);
    }

    /** As {@link #search}, always scoring every stored vector (slower above {@value #APPROXIMATE_FROM} entries). */
    public List<Hit> searchExact(float[] query, int k) {
        checkQuery(query, k);
        return exact(EmbeddingMath.normalized(query), k);
    }

    private List<Hit> exact(float[] unit, int k) {
        float[] scores = new float[size()];
        KernelProvider.kernels().matVec(vectors, unit, scores);
        int[] best = TopK.indices(scores, k);
        List<Hit> hits = new ArrayList<>(best.length);
        for (int i : best) {
            hits.add(hit(i, scores[i]));
        }
        return hits;
    }

    private void checkQuery(float[] query, int k) {
        if (query.length != dim()) {
            throw new IllegalArgumentException("query of width " + query.length + " for an index of width " + dim());
        }
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, not " + k);
        }
    }

    /**
     * Scans the 4-bit codes (an eighth of F32's bytes) for the best {@code max(100k, 1000)} candidates,
     * then scores those exactly from the stored vectors: the same hits and scores as the exact scan
     * unless a true top-k row falls outside the candidates, which needs the codes' error (a few
     * thousandths of cosine) to reorder rows a hundred times further apart than k.
     */
    private List<Hit> searchCodesThenRerank(float[] unit, int k) {
        float[] padded = Arrays.copyOf(unit, Quantized.paddedDim(unit.length));
        float[] approx = new float[size()];
        KernelProvider.kernels().nibbleDots(codes, size(), padded.length, padded, approx);
        for (int i = 0; i < approx.length; i++) {
            approx[i] *= scales.getAtIndex(SCALE, i);
        }
        int[] candidates = TopK.indices(approx, Math.max(100 * k, 1000));
        return rescore(candidates, unit, k);
    }

    /**
     * The best {@code k} of {@code candidates} (entry ids, e.g. from an approximate search), scored
     * exactly against the stored vectors; {@code query} is normalised here. Best first; equal scores
     * in entry order, as the exact scan orders them.
     */
    public List<Hit> rescore(int[] candidates, float[] query, int k) {
        checkQuery(query, k);
        candidates = candidates.clone();
        Arrays.sort(candidates);
        float[] unit = EmbeddingMath.normalized(query);
        float[] exact = new float[candidates.length];
        float[] row = new float[dim()];
        for (int j = 0; j < candidates.length; j++) {
            if (candidates[j] < 0 || candidates[j] >= size()) {
                throw new IllegalArgumentException("candidate " + candidates[j] + " is not an entry of " + file + " (" + size() + " entries)");
            }
            KernelProvider.kernels().readRow(vectors, candidates[j], row, 0);
            double dot = 0;
            for (int c = 0; c < row.length; c++) {
                dot += row[c] * unit[c];
            }
            exact[j] = (float) dot;
        }
        int[] best = TopK.indices(exact, k);
        List<Hit> hits = new ArrayList<>(best.length);
        for (int b : best) {
            hits.add(hit(candidates[b], exact[b]));
        }
        return hits;
    }

    private Hit hit(int id, float score) {
        // Rounding (F16 storage above all) can put a cosine a hair outside [-1, 1].
        return new Hit(id, header.entries().get(id).path(), Math.max(-1f, Math.min(1f, score)));
    }

    /** The stored vector of entry {@code i} (unit length up to the storage's rounding), widened to fp32. */
    public float[] vector(int i) {
        float[] v = new float[dim()];
        KernelProvider.kernels().readRow(vectors, i, v, 0);
        return v;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Building

    /**
     * Embeds every image under {@code dir} into the index {@code out}; see {@link IndexBuilder}. Hidden
     * folders and thumbnail caches are skipped.
     */
    public static BuildReport build(ClipModel clip, String modelSource, Path dir, Path out, boolean f16,
                                    Progress progress) throws IOException {
        return IndexBuilder.build(clip, modelSource, dir, out, f16, List.of(), progress);
    }

    /** As {@link #build(ClipModel, String, Path, Path, boolean, Progress)}, leaving out paths that match {@code excludes} (globs). */
    public static BuildReport build(ClipModel clip, String modelSource, Path dir, Path out, boolean f16,
                                    List<String> excludes, Progress progress) throws IOException {
        return IndexBuilder.build(clip, modelSource, dir, out, f16, excludes, progress);
    }

    /** Entry {@code i}'s vector as a function, for writing an index without holding every vector. */
    @FunctionalInterface
    public interface Vectors {
        float[] vector(int i);
    }

    /** As {@link #write(Path, String, String, String, int, boolean, List, Vectors)} from a list of vectors. */
    public static void write(Path out, String modelId, String modelSource, String imagesDir, int dim, boolean f16,
                             List<Entry> entries, List<float[]> vectors) throws IOException {
        if (entries.size() != vectors.size()) {
            throw new IllegalArgumentException(entries.size() + " entries but " + vectors.size() + " vectors");
        }
        write(out, modelId, modelSource, imagesDir, dim, f16, entries, vectors::get);
    }

    /**
     * Writes an index of the given images and embeddings (normalised here), entries in path order so
     * that an unchanged folder gives the same file; replaces {@code out} only when complete. Vectors
     * are asked for one at a time, so a million need memory for one. {@code imagesDir} is the folder
     * the entries' paths are relative to ("" if there is none).
     */
    public static void write(Path out, String modelId, String modelSource, String imagesDir, int dim, boolean f16,
                             List<Entry> entries, Vectors vectors) throws IOException {
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> entries.get(a).path().compareTo(entries.get(b).path()));
        List<IndexFile.Entry> sorted = new ArrayList<>(order.length);
        for (int i : order) {
            Entry e = entries.get(i);
            sorted.add(new IndexFile.Entry(e.path(), e.size(), e.mtimeMs()));
        }
        byte dtype = f16 ? IndexFile.DTYPE_F16 : IndexFile.DTYPE_F32;
        IndexWriter.write(out, modelId, modelSource, imagesDir, dim, dtype, sorted, (i, dst) -> {
            float[] v = vectors.vector(order[i]);
            if (v.length != dim) {
                throw new IllegalArgumentException(sorted.get(i).path() + ": vector of width " + v.length + ", not " + dim);
            }
            putVector(EmbeddingMath.normalized(v), dtype, dst);
        });
    }

    /** Stores a vector in the file's dtype. */
    static void putVector(float[] unit, byte dtype, ByteBuffer dst) {
        for (float x : unit) {
            if (dtype == IndexFile.DTYPE_F16) {
                dst.putShort(Float16s.f32ToF16(x));
            } else {
                dst.putFloat(x);
            }
        }
    }

    /** Copies entry {@code i}'s stored bytes into {@code dst}, converted to {@code dtype} if this index stores another. */
    void copyVector(int i, byte dtype, ByteBuffer dst) {
        if (dtype == header.dtype()) {
            long n = (long) dim() * IndexFile.width(dtype);
            dst.put(vectors.data().asSlice(i * n, n).asByteBuffer());
        } else {
            putVector(vector(i), dtype, dst);
        }
    }

    /** Entry {@code i} as stored: path, size, mtime. */
    IndexFile.Entry entry(int i) {
        return header.entries().get(i);
    }

    byte dtype() {
        return header.dtype();
    }

    @Override
    public String toString() {
        return file + " (" + size() + " images of " + dim() + " values)";
    }
}
