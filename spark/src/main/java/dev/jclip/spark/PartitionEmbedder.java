package dev.jclip.spark;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.core.image.ImageDecodeException;
import dev.jclip.core.image.ImageLoader;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The function each task runs over its partition: takes rows a batch at a time, embeds the batch
 * with the executor's shared model, and hands out the rows with embedding, error and model appended,
 * so a partition streams through in batches rather than being held whole.
 */
abstract class PartitionEmbedder implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /** The driver's accumulators, updated by every task. */
    record Accumulators(LongAccumulator embedded, LongAccumulator failed, LongAccumulator nanos) implements Serializable {
    }

    /** One input row's outcome: a unit embedding, or a message naming the input. */
    record Outcome(float[] embedding, String error) {
    }

    private final String model;
    private final int batchSize;
    private final Accumulators counts;

    PartitionEmbedder(String model, int batchSize, Accumulators counts) {
        this.model = model;
        this.batchSize = batchSize;
        this.counts = counts;
    }

    /** Embeds one batch of input rows, an outcome per row in order. */
    abstract List<Outcome> embed(ClipModel clip, List<Row> batch);

    /** The output row: {@code in}'s columns (without the one dropped), then embedding, error, model. */
    abstract Row output(Row in, Outcome outcome, String modelId);

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        ClipModel clip = ExecutorModels.get(model);
        String modelId = clip.modelId();
        return new Iterator<>() {
            private final List<Row> out = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < out.size()) {
                    return true;
                }
                out.clear();
                next = 0;
                List<Row> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && input.hasNext()) {
                    batch.add(input.next());
                }
                if (batch.isEmpty()) {
                    return false;
                }
                long start = System.nanoTime();
                List<Outcome> outcomes = embed(clip, batch);
                counts.nanos().add(System.nanoTime() - start);
                for (int i = 0; i < batch.size(); i++) {
                    Outcome o = outcomes.get(i);
                    (o.error() == null ? counts.embedded() : counts.failed()).add(1);
                    out.add(output(batch.get(i), o, modelId));
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return out.get(next++);
            }
        };
    }

    /** {@code outcomes} with row {@code ok[j]}'s slot filled by embedding j, normalised; the others hold their errors. */
    static List<Outcome> withEmbeddings(Outcome[] outcomes, List<Integer> ok, List<float[]> embeddings) {
        for (int j = 0; j < ok.size(); j++) {
            outcomes[ok.get(j)] = new Outcome(EmbeddingMath.normalized(embeddings.get(j)), null);
        }
        return List.of(outcomes);
    }

    /** {@code in}'s values without column {@code drop} (-1: none), then the outcome and the model id. */
    static Row append(Row in, int drop, Outcome o, String modelId) {
        List<Object> values = new ArrayList<>(in.length() + 2);
        for (int i = 0; i < in.length(); i++) {
            if (i != drop) {
                values.add(in.get(i));
            }
        }
        values.add(o.embedding());
        values.add(o.error());
        values.add(modelId);
        return RowFactory.create(values.toArray());
    }

    /** Rows of (path, content): decoded and preprocessed one by one, encoded together. */
    static final class Images extends PartitionEmbedder {
        private static final long serialVersionUID = 1L;
        private final int path;
        private final int content;

        Images(String model, int batchSize, Accumulators counts, int path, int content) {
            super(model, batchSize, counts);
            this.path = path;
            this.content = content;
        }

        @Override
        List<Outcome> embed(ClipModel clip, List<Row> batch) {
            Outcome[] outcomes = new Outcome[batch.size()];
            List<float[]> pixels = new ArrayList<>();
            List<Integer> ok = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Row r = batch.get(i);
                String name = r.isNullAt(path) ? "(no path)" : r.getString(path);
                if (r.isNullAt(content)) {
                    outcomes[i] = new Outcome(null, name + ": no content");
                    continue;
                }
                try {
                    pixels.add(clip.preprocess(ImageLoader.decode((byte[]) r.get(content), name)));
                    ok.add(i);
                } catch (RuntimeException e) {
                    outcomes[i] = new Outcome(null, failure(name, e));
                }
            }
            return withEmbeddings(outcomes, ok, pixels.isEmpty() ? List.of() : clip.encodePixels(pixels));
        }

        @Override
        Row output(Row in, Outcome outcome, String modelId) {
            return append(in, content, outcome, modelId);
        }
    }

    /** Rows with a text column: encoded together (sorted by length inside {@link ClipModel#encodeTexts}). */
    static final class Texts extends PartitionEmbedder {
        private static final long serialVersionUID = 1L;
        private final int text;

        Texts(String model, int batchSize, Accumulators counts, int text) {
            super(model, batchSize, counts);
            this.text = text;
        }

        @Override
        List<Outcome> embed(ClipModel clip, List<Row> batch) {
            Outcome[] outcomes = new Outcome[batch.size()];
            List<String> texts = new ArrayList<>();
            List<Integer> ok = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).isNullAt(text)) {
                    outcomes[i] = new Outcome(null, "the text is null");
                } else {
                    texts.add(batch.get(i).getString(text));
                    ok.add(i);
                }
            }
            return withEmbeddings(outcomes, ok, texts.isEmpty() ? List.of() : clip.encodeTexts(texts));
        }

        @Override
        Row output(Row in, Outcome outcome, String modelId) {
            return append(in, -1, outcome, modelId);
        }
    }

    /**
     * An image's failure as one line naming it: a decoder's refusal names it already; anything else
     * thrown while decoding is a jclip bug, said as such rather than as a Java exception's text.
     */
    static String failure(String name, RuntimeException e) {
        if (e instanceof ImageDecodeException && e.getMessage() != null) {
            return e.getMessage().startsWith(name) ? e.getMessage() : name + ": " + e.getMessage();
        }
        return name + ": cannot be decoded (" + e.getClass().getSimpleName() + " inside jclip's decoder: please report it with the file)";
    }
}
