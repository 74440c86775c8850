package dev.jclip.core.index;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.core.image.ImageLoader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an index so that no night's work is lost. Each batch's vectors (and failures) are appended to
 * the build's journal ({@link IndexJournal}) as they are made, so memory holds one batch, not the
 * library, and a crash or {@code kill -9} loses at most {@value IndexJournal#SYNC_SECONDS} seconds; the
 * index file itself is replaced only when the build completes, so the previous index stays readable
 * throughout. A build that finds a journal from an interrupted one uses its work: nothing in it is
 * embedded again (as long as the file's path, size and mtime are unchanged).
 */
final class IndexBuilder {
    private static final int BATCH = 8;

    private IndexBuilder() {
    }

    /** Where an entry of the finished index takes its vector from. */
    private record Planned(IndexFile.Entry entry, int previousId, long journalOffset) {
    }

    static ImageIndex.BuildReport build(ClipModel clip, String modelSource, Path dir, Path out, boolean f16,
                                        List<String> excludes, ImageIndex.Progress progress) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IndexException(dir + ": not a folder");
        }
        if (Files.isDirectory(out)) {
            throw new IndexException(out + ": is a folder; give the index file's name, e.g. " + out.resolve("photos.idx"));
        }
        LibraryScan.Result scan = LibraryScan.scan(dir, excludes);
        ImageIndex previous = Files.exists(out) ? ImageIndex.open(out) : null;
        try {
            if (scan.images().isEmpty() && previous == null) {
                throw new IndexException(dir + ": no images in this folder or below (" + scan.skipped()
                        + " other files); nothing written");
            }
            if (previous != null && !clip.modelId().equals(previous.modelId())) {
                throw new IndexException(out + ": built with another model (" + previous.modelSource() + ", id "
                        + previous.modelId() + "), not this one (id " + clip.modelId() + "), so it cannot be updated;"
                        + " delete it, or write the new index to another file, to index with this model"
                        + " (model files converted before format version 2 have other ids)");
            }
            byte dtype = f16 ? IndexFile.DTYPE_F16 : IndexFile.DTYPE_F32;
            int dim = clip.embedDim();
            String imagesDir = dir.toAbsolutePath().normalize().toString();
            try (IndexJournal journal = IndexJournal.openOrStart(out, clip.modelId(), imagesDir, dim, dtype)) {
                ImageIndex.BuildReport report = run(clip, modelSource, dir, imagesDir, out, dtype, scan, previous, journal, progress);
                journal.delete();
                return report;
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
        }
    }

    private static ImageIndex.BuildReport run(ClipModel clip, String modelSource, Path dir, String imagesDir, Path out, byte dtype,
                                              LibraryScan.Result scan, ImageIndex previous, IndexJournal journal,
                                              ImageIndex.Progress progress) throws IOException {
        Map<String, Integer> previousIds = new HashMap<>();
        if (previous != null) {
            for (int i = 0; i < previous.size(); i++) {
                previousIds.put(previous.entry(i).path(), i);
            }
        }
        List<Path> toEmbed = new ArrayList<>();
        List<IndexFile.Entry> toEmbedEntries = new ArrayList<>();
        Set<String> present = new HashSet<>();
        List<IndexFile.Entry> current = new ArrayList<>();
        int reused = 0, resumed = 0;
        List<String> failed = new ArrayList<>();
        for (Path p : scan.images()) {
            String rel = LibraryScan.relative(dir, p);
            present.add(rel);
            IndexFile.Entry now = new IndexFile.Entry(rel, Files.size(p), Files.getLastModifiedTime(p).toMillis());
            current.add(now);
            Integer old = previousIds.get(rel);
            IndexJournal.Done done = journal.done().get(rel);
            if (old != null && previous.entry(old).equals(now)) {
                reused++;
            } else if (done != null && done.entry().equals(now)) {
                resumed++;
                if (done.failure() != null) {
                    failed.add(done.failure());
                }
            } else {
                toEmbed.add(p);
                toEmbedEntries.add(now);
            }
        }
        int removed = 0;
        for (String old : previousIds.keySet()) {
            if (!present.contains(old)) {
                removed++;
            }
        }
        int embedded = embed(clip, dtype, toEmbed, toEmbedEntries, journal, failed, progress);
        journal.sync();

        // The finished index: every present image with a vector, in path order.
        List<Planned> plan = new ArrayList<>();
        for (IndexFile.Entry now : current) {
            Integer old = previousIds.get(now.path());
            IndexJournal.Done done = journal.done().get(now.path());
            if (old != null && previous.entry(old).equals(now)) {
                plan.add(new Planned(now, old, -1));
            } else if (done != null && done.entry().equals(now) && done.failure() == null) {
                plan.add(new Planned(now, -1, done.vectorOffset()));
            }
        }
        plan.sort((a, b) -> a.entry().path().compareTo(b.entry().path()));
        List<IndexFile.Entry> entries = plan.stream().map(Planned::entry).toList();
        IndexWriter.write(out, clip.modelId(), modelSource, imagesDir, clip.embedDim(),
                dtype, entries, (i, dst) -> {
                    Planned p = plan.get(i);
                    if (p.previousId() >= 0) {
                        previous.copyVector(p.previousId(), dtype, dst);
                    } else {
                        journal.readVector(p.journalOffset(), dst);
                    }
                });
        return new ImageIndex.BuildReport(entries.size(), embedded, reused, resumed, removed, failed,
                scan.skippedByExtension(), scan.problems());
    }

    /** Embeds the images in batches, each batch's results appended to the journal; returns how many were embedded. */
    private static int embed(ClipModel clip, byte dtype, List<Path> images, List<IndexFile.Entry> entries,
                             IndexJournal journal, List<String> failed, ImageIndex.Progress progress) throws IOException {
        int embedded = 0;
        int vectorBytes = clip.embedDim() * IndexFile.width(dtype);
        for (int start = 0; start < images.size(); start += BATCH) {
            int end = Math.min(images.size(), start + BATCH);
            // Decoding and resizing run in parallel; the encoder itself uses every core.
            List<Object> decoded = images.subList(start, end).parallelStream().map(p -> {
                try {
                    return (Object) clip.preprocess(ImageLoader.load(p));
                } catch (RuntimeException e) {
                    return e;
                }
            }).toList();
            List<float[]> pixels = new ArrayList<>();
            List<IndexFile.Entry> batch = new ArrayList<>();
            for (int i = 0; i < decoded.size(); i++) {
                IndexFile.Entry e = entries.get(start + i);
                if (decoded.get(i) instanceof float[] px) {
                    pixels.add(px);
                    batch.add(e);
                } else {
                    RuntimeException ex = (RuntimeException) decoded.get(i);
                    String m = ex.getMessage() == null ? "cannot be decoded" : ex.getMessage();
                    String failure = m.startsWith(images.get(start + i).toString()) ? m : e.path() + ": " + m;
                    journal.failed(e, failure);
                    failed.add(failure);
                    progress.failed(failure);
                }
            }
            if (!pixels.isEmpty()) {
                List<float[]> embeds = clip.encodePixels(pixels);
                for (int i = 0; i < embeds.size(); i++) {
                    ByteBuffer bytes = ByteBuffer.allocate(vectorBytes).order(ByteOrder.LITTLE_ENDIAN);
                    ImageIndex.putVector(EmbeddingMath.normalized(embeds.get(i)), dtype, bytes);
                    journal.embedded(batch.get(i), bytes.array());
                }
                embedded += embeds.size();
            }
            journal.syncIfDue();
            progress.update(end, images.size());
        }
        return embedded;
    }
}
