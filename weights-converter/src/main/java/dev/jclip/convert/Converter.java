package dev.jclip.convert;

import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.SafeTensorsException;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.safetensors.SafeTensorsWriter;
import dev.jclip.core.safetensors.ShardedSafeTensors;
import dev.jclip.core.safetensors.TensorSource;
import dev.jclip.core.tokenizer.TokenizerFiles;
import dev.jclip.core.weights.Checkpoint;
import dev.jclip.core.weights.RuntimeFile;
import dev.jclip.core.weights.TensorSpec;
import dev.jclip.core.weights.WeightTable;
import dev.jclip.tensor.Matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns any supported checkpoint into one self-contained runtime file: weights under the runtime
 * names, plus config and tokenizer in the metadata.
 *
 * <p>Accepted sources: an HF model folder ({@code config.json} and {@code model.safetensors}, or a
 * sharded {@code model.safetensors.index.json}); an HF safetensors file (its {@code config.json}
 * beside it if there is one); an OpenAI-layout or GmP state dict as safetensors; an already
 * converted file of this version.
 */
public final class Converter {
    private Converter() {
    }

    /** Opens {@code source} as a runtime-layout checkpoint, converting in memory. */
    public static Checkpoint open(Path source) {
        if (Files.isDirectory(source)) {
            return openHfFolder(source);
        }
        if (!Files.exists(source)) {
            throw new ConversionException(source + ": no such file or folder");
        }
        String fileName = source.getFileName().toString();
        if (fileName.endsWith(".index.json")) {
            return openHf(source.toAbsolutePath().getParent(), ShardedSafeTensors.open(source), source.toString());
        }
        if (fileName.endsWith(".pt") || fileName.endsWith(".bin") || fileName.endsWith(".pth")) {
            throw new ConversionException(source + ": a PyTorch pickle; only safetensors checkpoints are read"
                    + " (pickles can run code). Use the repository's .safetensors files");
        }
        SafeTensorsFile file = SafeTensorsFile.open(source);
        if (RuntimeFile.isRuntimeFile(file.metadata())) {
            file.close();
            return RuntimeFile.open(source);
        }
        try {
            Layout layout = Layout.detect(file.names(), source.toString());
            RawTensors raw = RawTensors.of(file);
            return switch (layout) {
                case HF -> openHf(source.toAbsolutePath().getParent(), file, source.toString());
                case OPENAI -> new SourceCheckpoint(file, raw, layout,
                        ConfigReader.fromOpenAiShapes(raw, source.toString()), TokenizerFiles.bundled(), source.toString());
                case GMP -> {
                    RawTensors folded = new GmpFolding(raw, source.toString());
                    yield new SourceCheckpoint(file, folded, layout,
                            ConfigReader.fromOpenAiShapes(folded, source.toString()), TokenizerFiles.bundled(), source.toString());
                }
            };
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static Checkpoint openHfFolder(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(index)) {
            return openHf(dir, ShardedSafeTensors.open(index), dir.toString());
        }
        if (Files.isRegularFile(single)) {
            return openHf(dir, SafeTensorsFile.open(single), dir.toString());
        }
        throw new ConversionException(dir + ": no model.safetensors or model.safetensors.index.json in this folder"
                + (Files.isRegularFile(dir.resolve("pytorch_model.bin")) ? " (pytorch_model.bin is a pickle and is not read)" : ""));
    }

    private static Checkpoint openHf(Path dir, TensorSource file, String where) {
        try {
            Layout.detect(file.names(), where); // fail early on a folder that holds something else
            RawTensors raw = RawTensors.of(file);
            Path configFile = dir.resolve("config.json");
            ClipConfig config;
            if (Files.isRegularFile(configFile)) {
                Path pre = dir.resolve("preprocessor_config.json");
                config = ConfigReader.fromHf(ConfigReader.readJson(configFile),
                        Files.isRegularFile(pre) ? ConfigReader.readJson(pre) : null, raw, where);
            } else if (file.names().stream().noneMatch(n -> n.startsWith("vision_model."))) {
                config = ConfigReader.fromHfTextShapes(raw, where);
            } else {
                throw new ConversionException(where + ": an HF CLIPModel checkpoint needs its config.json beside it");
            }
            TokenizerFiles tokenizer = TokenizerFiles.fromHfFolder(dir);
            return new SourceCheckpoint(file, raw, Layout.HF, config,
                    tokenizer != null ? tokenizer : TokenizerFiles.bundled(), where);
        } catch (IOException e) {
            file.close();
            throw new ConversionException(where + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Converts {@code source} into the runtime file {@code target}; {@code dtype} null keeps each
     * tensor's source dtype. The target appears only when complete.
     */
    public static void convert(Path source, Path target, DType dtype) throws IOException {
        try (Checkpoint ck = open(source)) {
            write(ck, target, dtype, source.getFileName().toString());
        }
    }

    /** A runtime tensor's values in the order the file stores them ({@link WeightTable.Row#layout()}). */
    private static float[] stored(Checkpoint ck, WeightTable.Row row) {
        float[] values = ck.floats(row.runtime());
        return row.layout() == Matrix.Layout.ROWS ? values
                : Matrix.toStrips(values, Math.toIntExact(row.shape()[0]), Math.toIntExact(row.shape()[1]));
    }

    /** Writes any runtime-layout checkpoint as a runtime file. */
    public static void write(Checkpoint ck, Path target, DType dtype, String sourceName) throws IOException {
        if (dtype != null && !dtype.isFloat()) {
            throw new IllegalArgumentException("output dtype must be f32, f16 or bf16, not " + dtype);
        }
        ClipConfig cfg = ck.config();
        SafeTensorsWriter w = new SafeTensorsWriter()
                .metadata("format", "pt")
                .metadata(RuntimeFile.KEY_FORMAT, RuntimeFile.FORMAT_NAME)
                .metadata(RuntimeFile.KEY_VERSION, String.valueOf(ClipConfig.FORMAT_VERSION))
                .metadata(RuntimeFile.KEY_CONFIG, cfg.toJson())
                .metadata(RuntimeFile.KEY_VOCAB, ck.tokenizer().vocabJson())
                .metadata(RuntimeFile.KEY_MERGES, ck.tokenizer().mergesText())
                .metadata(RuntimeFile.KEY_SOURCE, sourceName);
        for (WeightTable.Row row : WeightTable.rows(cfg)) {
            TensorSpec spec = ck.spec(row.runtime());
            w.addFloats(row.runtime(), dtype != null ? dtype : spec.dtype(), row.storedShape(), () -> stored(ck, row));
        }
        try {
            w.write(target);
        } catch (SafeTensorsException e) {
            throw new ConversionException(e.getMessage(), e);
        }
    }
}
