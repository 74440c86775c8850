package dev.jclip.core.weights;

import dev.jclip.core.io.ModelFormatException;
import dev.jclip.core.json.JsonException;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.safetensors.TensorInfo;
import dev.jclip.core.tokenizer.TokenizerFiles;
import dev.jclip.tensor.Matrix;
import dev.jclip.tensor.Precision;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A converted model file: one safetensors file with the runtime tensors, and config and tokenizer in
 * {@code __metadata__} under the keys below. Opening checks the format version and that the file holds
 * exactly the tensors {@link WeightTable} expects for its config, in the expected shapes.
 */
public final class RuntimeFile implements Checkpoint {
    public static final String KEY_FORMAT = "jclip.format";
    public static final String FORMAT_NAME = "jclip-clip";
    public static final String KEY_VERSION = "jclip.format_version";
    public static final String KEY_CONFIG = "jclip.config";
    public static final String KEY_VOCAB = "jclip.tokenizer.vocab";
    public static final String KEY_MERGES = "jclip.tokenizer.merges";
    public static final String KEY_SOURCE = "jclip.source";

    private final SafeTensorsFile file;
    private final ClipConfig config;
    private final TokenizerFiles tokenizer;
    private final Map<String, WeightTable.Row> rows = new HashMap<>();

    private RuntimeFile(SafeTensorsFile file, ClipConfig config, TokenizerFiles tokenizer) {
        this.file = file;
        this.config = config;
        this.tokenizer = tokenizer;
        for (WeightTable.Row row : WeightTable.rows(config)) {
            rows.put(row.runtime(), row);
        }
    }

    /** True if {@code metadata} marks a converted runtime file (of any version). */
    public static boolean isRuntimeFile(Map<String, String> metadata) {
        return FORMAT_NAME.equals(metadata.get(KEY_FORMAT));
    }

    public static RuntimeFile open(Path path) {
        SafeTensorsFile file = SafeTensorsFile.open(path);
        try {
            Map<String, String> meta = file.metadata();
            if (!isRuntimeFile(meta)) {
                throw new ModelFormatException(path + ": not a converted jclip model (no '" + KEY_FORMAT
                        + "' in its metadata); convert it first: ./clip convert " + path + " model.safetensors");
            }
            String version = meta.get(KEY_VERSION);
            if (!String.valueOf(ClipConfig.FORMAT_VERSION).equals(version)) {
                throw new ModelFormatException(path + ": model file format version " + version + ", but this jclip reads version "
                        + ClipConfig.FORMAT_VERSION + "; re-convert it from the original checkpoint with ./clip convert");
            }
            ClipConfig config;
            try {
                config = ClipConfig.fromJson(required(path, meta, KEY_CONFIG));
            } catch (IllegalArgumentException | JsonException e) {
                throw new ModelFormatException(path + ": bad config in metadata: " + e.getMessage(), e);
            }
            TokenizerFiles tokenizer = TokenizerFiles.fromMetadata(
                    required(path, meta, KEY_VOCAB), required(path, meta, KEY_MERGES), path.toString());
            tokenizer.check(path.toString(), config.text().vocabSize());
            RuntimeFile rf = new RuntimeFile(file, config, tokenizer);
            rf.checkTensors(path);
            return rf;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static String required(Path path, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new ModelFormatException(path + ": metadata lacks '" + key + "'; re-convert the model");
        }
        return v;
    }

    private void checkTensors(Path path) {
        Set<String> unexpected = new LinkedHashSet<>(file.names());
        for (WeightTable.Row row : rows.values()) {
            if (!file.contains(row.runtime())) {
                throw new ModelFormatException(path + ": missing tensor '" + row.runtime() + "'");
            }
            TensorInfo t = file.info(row.runtime());
            if (!Arrays.equals(t.shape(), row.storedShape())) {
                throw new ModelFormatException(path + ": tensor '" + row.runtime() + "' has shape " + t.shapeString()
                        + ", the config needs " + Arrays.toString(row.storedShape()));
            }
            if (!t.dtype().isFloat()) {
                throw new ModelFormatException(path + ": tensor '" + row.runtime() + "' is " + t.dtype() + ", not a float dtype");
            }
            unexpected.remove(row.runtime());
        }
        if (!unexpected.isEmpty()) {
            throw new ModelFormatException(path + ": unknown tensor '" + unexpected.iterator().next()
                    + "' (not part of a model with this config)");
        }
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
        return file.names();
    }

    /** The stored dtype and the logical shape ([in, out] for a weight stored in strips). */
    @Override
    public TensorSpec spec(String runtimeName) {
        return new TensorSpec(file.info(runtimeName).dtype(), row(runtimeName).shape());
    }

    /** Values in the logical, row-major order, whatever the file's layout. */
    @Override
    public float[] floats(String runtimeName) {
        WeightTable.Row row = row(runtimeName);
        float[] stored = file.floats(runtimeName);
        return row.layout() == Matrix.Layout.ROWS ? stored
                : Matrix.fromStrips(stored, Math.toIntExact(row.shape()[0]), Math.toIntExact(row.shape()[1]));
    }

    private WeightTable.Row row(String runtimeName) {
        WeightTable.Row row = rows.get(runtimeName);
        if (row == null) {
            throw new ModelFormatException(file.path() + ": no runtime tensor named '" + runtimeName + "'");
        }
        return row;
    }

    /** Zero-copy: a view of the mapped file in the stored precision and layout. Valid until {@link #close()}. */
    @Override
    public Matrix matrix(String runtimeName) {
        WeightTable.Row row = row(runtimeName);
        TensorInfo t = file.info(runtimeName);
        if (row.shape().length != 2) {
            throw new ModelFormatException(file.path() + ": tensor '" + runtimeName + "' is not a matrix: " + t.shapeString());
        }
        Precision p = switch (t.dtype()) {
            case F32 -> Precision.F32;
            case F16 -> Precision.F16;
            case BF16 -> Precision.BF16;
            default -> throw new ModelFormatException(file.path() + ": tensor '" + runtimeName + "' is " + t.dtype());
        };
        return Matrix.wrap(file.segment(runtimeName), p, row.layout(),
                Math.toIntExact(row.shape()[0]), Math.toIntExact(row.shape()[1]));
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    @Override
    public void close() {
        file.close();
    }
}
