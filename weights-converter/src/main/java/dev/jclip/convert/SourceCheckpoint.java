package dev.jclip.convert;

import dev.jclip.core.io.ModelFormatException;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.TensorSource;
import dev.jclip.core.tokenizer.TokenizerFiles;
import dev.jclip.core.weights.Checkpoint;
import dev.jclip.core.weights.TensorSpec;
import dev.jclip.core.weights.Transform;
import dev.jclip.core.weights.WeightTable;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A source checkpoint seen in the runtime layout: each runtime tensor is read from the source names
 * the {@link WeightTable} gives for its layout and transformed there. Every source tensor is checked
 * at construction: present, in the shape the config implies, and none left over unexplained.
 */
final class SourceCheckpoint implements Checkpoint {
    private final TensorSource file;
    private final RawTensors raw;
    private final Layout layout;
    private final ClipConfig config;
    private final TokenizerFiles tokenizer;
    private final Map<String, WeightTable.Row> rows = new LinkedHashMap<>();

    SourceCheckpoint(TensorSource file, RawTensors raw, Layout layout, ClipConfig config, TokenizerFiles tokenizer,
                     String where) {
        this.file = file;
        this.raw = raw;
        this.layout = layout;
        this.config = config;
        this.tokenizer = tokenizer;
        tokenizer.check(where, config.text().vocabSize());
        Set<String> unused = new LinkedHashSet<>(raw.names());
        for (WeightTable.Row row : WeightTable.rows(config)) {
            rows.put(row.runtime(), row);
            WeightTable.Source src = layout.source(row);
            List<long[]> expected = sourceShapes(src.transform(), row.shape(), config);
            for (int i = 0; i < src.names().size(); i++) {
                String name = src.names().get(i);
                if (!raw.names().contains(name)) {
                    throw new ConversionException(where + ": missing tensor '" + name + "'");
                }
                TensorSpec spec = raw.spec(name);
                if (!spec.dtype().isFloat()) {
                    throw new ConversionException(where + ": tensor '" + name + "' is " + spec.dtype() + ", expected a float dtype");
                }
                if (!Arrays.equals(spec.shape(), expected.get(i))) {
                    throw new ConversionException(where + ": tensor '" + name + "' has shape " + Arrays.toString(spec.shape())
                            + " but the config implies " + Arrays.toString(expected.get(i)));
                }
                unused.remove(name);
            }
        }
        unused.removeIf(WeightTable::isHfBuffer);
        unused.removeAll(WeightTable.OPENAI_SCALARS);
        if (!unused.isEmpty()) {
            throw new ConversionException(where + ": unknown tensor '" + unused.iterator().next() + "'"
                    + (unused.size() > 1 ? " (and " + (unused.size() - 1) + " more)" : "")
                    + ": not part of a CLIP " + (config.hasVision() ? "model" : "text encoder") + " with this config");
        }
    }

    /** The shapes the source tensors must have for a runtime tensor of {@code shape}. */
    private static List<long[]> sourceShapes(Transform t, long[] shape, ClipConfig cfg) {
        return switch (t) {
            case COPY -> List.of(shape);
            case TRANSPOSE -> List.of(new long[]{shape[1], shape[0]});
            case CONCAT_QKV -> {
                long[] part = {shape[0] / 3};
                yield List.of(part, part, part);
            }
            case CONCAT_QKV_TRANSPOSE -> {
                long[] part = {shape[1] / 3, shape[0]};                 // [D, D] as [out, in]
                yield List.of(part, part, part);
            }
            case FLATTEN_PATCH_KERNEL_TRANSPOSE -> {
                int p = cfg.vision().patchSize();
                yield List.of(new long[]{shape[1], cfg.vision().channels(), p, p});
            }
        };
    }

    @Override
    public ClipConfig config() {
        return config;
    }

    @Override
    public TokenizerFiles tokenizer() {
        return tokenizer;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(rows.keySet());
    }

    private WeightTable.Row row(String runtimeName) {
        WeightTable.Row row = rows.get(runtimeName);
        if (row == null) {
            throw new ModelFormatException("no runtime tensor named '" + runtimeName + "'");
        }
        return row;
    }

    /** The source's dtype; a tensor built from several takes the widest of them. */
    @Override
    public TensorSpec spec(String runtimeName) {
        WeightTable.Row row = row(runtimeName);
        DType dtype = null;
        for (String name : layout.source(row).names()) {
            DType d = raw.spec(name).dtype();
            dtype = dtype == null ? d : Dtypes.widest(dtype, d);
        }
        return new TensorSpec(dtype, row.shape());
    }

    @Override
    public float[] floats(String runtimeName) {
        WeightTable.Row row = row(runtimeName);
        WeightTable.Source src = layout.source(row);
        List<String> names = src.names();
        return switch (src.transform()) {
            case COPY -> raw.floats(names.getFirst());
            case TRANSPOSE, FLATTEN_PATCH_KERNEL_TRANSPOSE ->                 // the flattening reshape moves no values
                    transpose(raw.floats(names.getFirst()), (int) row.shape()[1], (int) row.shape()[0]);
            case CONCAT_QKV -> concat(raw.floats(names.get(0)), raw.floats(names.get(1)), raw.floats(names.get(2)));
            case CONCAT_QKV_TRANSPOSE -> transpose(concat(raw.floats(names.get(0)), raw.floats(names.get(1)),
                    raw.floats(names.get(2))), (int) row.shape()[1], (int) row.shape()[0]);
        };
    }

    /** [rows, cols] → [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    private static float[] concat(float[] q, float[] k, float[] v) {
        float[] out = new float[q.length + k.length + v.length];
        System.arraycopy(q, 0, out, 0, q.length);
        System.arraycopy(k, 0, out, q.length, k.length);
        System.arraycopy(v, 0, out, q.length + k.length, v.length);
        return out;
    }

    @Override
    public void close() {
        file.close();
    }
}
