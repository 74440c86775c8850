package dev.jclip.core.index;

import dev.jclip.core.ClipModel;
import dev.jclip.core.image.ImageLoader;
import dev.jclip.core.io.AtomicFiles;
import dev.jclip.tensor.Float16s;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Precision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * A folder of images embedded once, searched by text or by image: unit-length image embeddings stored
 * contiguously (F16 by default) in one FlatBuffers file, memory-mapped, so a search is one SIMD scan.
 * Building again re-embeds only new or changed files (path, size, mtime) and drops deleted ones.
 */
public final class ImageIndex implements AutoCloseable {
    /** The image formats an index takes, by file extension. */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "gif", "bmp");
    private static final int BATCH = 8;

    /** One indexed image: its path relative to the indexed folder, its size and mtime when embedded. */
    public record Entry(String path, long size, long mtimeMs) {
    }

    /** One search result: the image's entry number, its path relative to the indexed folder, and its cosine similarity. */
    public record Hit(int id, String path, float score) {
    }

    /** What a build did. {@code failed} holds one "path: reason" per unreadable image. */
    public record BuildReport(int indexed, int embedded, int reused, int removed, List<String> failed) {
    }

    /** Told after each batch how many of the images that needed embedding are done. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(int done, int total);
    }

    private final Path file;
    private final Arena arena;
    private final IndexFile.Header header;
    private final Matrix vectors;   // [entries, E] unit-length rows

    private ImageIndex(Path file, Arena arena, IndexFile.Header header, Matrix vectors) {
        this.file = file;
        this.arena = arena;
        this.header = header;
        this.vectors = vectors;
    }

    /** Maps an index file; a missing, foreign, truncated or other-version file is an {@link IndexException}. */
    public static ImageIndex open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            IndexFile.Header h = IndexFile.read(seg.asByteBuffer(), file.toString());
            int width = h.dtype() == IndexFile.DTYPE_F16 ? 2 : h.dtype() == IndexFile.DTYPE_F32 ? 4 : -1;
            if (width < 0 || h.dim() <= 0 || (long) h.entries().size() * h.dim() * width != h.vectorsLength()) {
                throw new IndexException(file + ": truncated or corrupt index (" + h.entries().size() + " entries of "
                        + h.dim() + " values do not fill " + h.vectorsLength() + " vector bytes)");
            }
            Matrix m = Matrix.wrap(seg.asSlice(h.vectorsOffset(), h.vectorsLength()),
                    width == 2 ? Precision.F16 : Precision.F32, h.entries().size(), h.dim());
            return new ImageIndex(file, arena, h, m);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new IndexException(file + ": no such index file");
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(e);
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
        if (query.length != dim()) {
            throw new IllegalArgumentException("query of width " + query.length + " for an index of width " + dim());
        }
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, not " + k);
        }
        float[] scores = new float[size()];
        KernelProvider.kernels().matVec(vectors, ClipModel.normalized(query), scores);
        PriorityQueue<Integer> top = new PriorityQueue<>((a, b) -> Float.compare(scores[a], scores[b]));
        for (int i = 0; i < scores.length; i++) {
            top.add(i);
            if (top.size() > k) {
                top.poll();
            }
        }
        List<Hit> hits = new ArrayList<>(top.size());
        while (!top.isEmpty()) {
            int i = top.poll();
            hits.add(new Hit(i, header.entries().get(i).path(), scores[i]));
        }
        Collections.reverse(hits);
        return hits;
    }

    /** The stored vector of entry {@code i}, widened to fp32. */
    float[] vector(int i) {
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
     * Embeds every image under {@code dir} (recursively) into the index file {@code out}, reusing the
     * vectors of an existing index at {@code out} for files whose path, size and mtime are unchanged.
     * Unreadable images are reported and left out. The file is replaced only when complete.
     */
    public static BuildReport build(ClipModel clip, String modelSource, Path dir, Path out, boolean f16,
                                    Progress progress) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IndexException(dir + ": not a folder");
        }
        List<Path> images = imagesUnder(dir);
        if (images.isEmpty()) {
            throw new IndexException(dir + ": no images (" + String.join(", ", EXTENSIONS) + ") in this folder or below; nothing written");
        }
        Map<String, float[]> previous = new HashMap<>();
        Map<String, Entry> previousEntries = new HashMap<>();
        if (Files.exists(out)) {
            try (ImageIndex old = open(out)) {
                old.checkModel(clip);
                for (int i = 0; i < old.size(); i++) {
                    IndexFile.Entry e = old.header.entries().get(i);
                    previous.put(e.path(), old.vector(i));
                    previousEntries.put(e.path(), new Entry(e.path(), e.size(), e.mtimeMs()));
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        List<Path> toEmbed = new ArrayList<>();
        List<Entry> toEmbedEntries = new ArrayList<>();
        java.util.Set<String> present = new java.util.HashSet<>();
        int reused = 0;
        for (Path p : images) {
            String rel = relative(dir, p);
            present.add(rel);
            Entry now = new Entry(rel, Files.size(p), Files.getLastModifiedTime(p).toMillis());
            if (now.equals(previousEntries.get(rel))) {
                entries.add(now);
                vectors.add(previous.get(rel));
                reused++;
            } else {
                toEmbed.add(p);
                toEmbedEntries.add(now);
            }
        }
        int removed = 0;
        for (String old : previousEntries.keySet()) {
            if (!present.contains(old)) {
                removed++;
            }
        }
        List<String> failed = new ArrayList<>();
        int embedded = 0;
        for (int start = 0; start < toEmbed.size(); start += BATCH) {
            int end = Math.min(toEmbed.size(), start + BATCH);
            // Decoding and resizing run in parallel; the encoder itself uses every core.
            List<Object> decoded = toEmbed.subList(start, end).parallelStream().map(p -> {
                try {
                    return (Object) clip.preprocess(ImageLoader.load(p));
                } catch (RuntimeException e) {
                    return e;
                }
            }).toList();
            List<float[]> pixels = new ArrayList<>();
            List<Entry> batchEntries = new ArrayList<>();
            for (int i = 0; i < decoded.size(); i++) {
                if (decoded.get(i) instanceof float[] px) {
                    pixels.add(px);
                    batchEntries.add(toEmbedEntries.get(start + i));
                } else {
                    RuntimeException e = (RuntimeException) decoded.get(i);
                    String m = e.getMessage() == null ? e.toString() : e.getMessage();
                    String rel = toEmbedEntries.get(start + i).path();
                    failed.add(m.contains(toEmbed.get(start + i).toString()) ? m : rel + ": " + m);
                }
            }
            if (!pixels.isEmpty()) {
                List<float[]> embeds = clip.encodePixels(pixels);
                entries.addAll(batchEntries);
                vectors.addAll(embeds);
                embedded += embeds.size();
            }
            progress.update(end, toEmbed.size());
        }
        write(out, clip.modelId(), modelSource, dir.toAbsolutePath().normalize().toString(), clip.embedDim(), f16,
                entries, vectors);
        return new BuildReport(entries.size(), embedded, reused, removed, failed);
    }

    /**
     * Writes an index of the given images and embeddings (normalised here), entries in path order so
     * that an unchanged folder gives the same file; replaces {@code out} only when complete.
     * {@code imagesDir} is the folder the entries' paths are relative to ("" if there is none).
     */
    public static void write(Path out, String modelId, String modelSource, String imagesDir, int dim, boolean f16,
                             List<Entry> entries, List<float[]> vectors) throws IOException {
        if (entries.size() != vectors.size()) {
            throw new IllegalArgumentException(entries.size() + " entries but " + vectors.size() + " vectors");
        }
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> entries.get(a).path().compareTo(entries.get(b).path()));
        ByteBuffer buf = ByteBuffer.allocate(entries.size() * dim * (f16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        List<IndexFile.Entry> sorted = new ArrayList<>();
        for (int i : order) {
            Entry e = entries.get(i);
            sorted.add(new IndexFile.Entry(e.path(), e.size(), e.mtimeMs()));
            float[] v = vectors.get(i);
            if (v.length != dim) {
                throw new IllegalArgumentException(e.path() + ": vector of width " + v.length + ", not " + dim);
            }
            for (float x : ClipModel.normalized(v)) {
                if (f16) {
                    buf.putShort(Float16s.f32ToF16(x));
                } else {
                    buf.putFloat(x);
                }
            }
        }
        AtomicFiles.write(out, IndexFile.write(IndexFile.FORMAT_VERSION, modelId, modelSource, imagesDir, dim,
                f16 ? IndexFile.DTYPE_F16 : IndexFile.DTYPE_F32, sorted, buf.array()));
    }

    static List<Path> imagesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(ImageIndex::isImageName).sorted().toList();
        }
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String relative(Path dir, Path p) {
        return dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    @Override
    public String toString() {
        return file + " (" + size() + " images of " + dim() + " values)";
    }
}
