package dev.jclip.convert;

import dev.jclip.core.ClipModel;
import dev.jclip.core.io.ModelFormatException;
import dev.jclip.core.model.StateDictNames;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.SafeTensorsException;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.safetensors.SafeTensorsWriter;
import dev.jclip.core.safetensors.TensorInfo;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.weights.RuntimeFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.jclip.core.testing.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConverterTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Converting {@code src} fails with a message holding every fragment, and writes nothing. */
    private void assertConversionFails(Path src, String... fragments) throws IOException {
        List<String> before = listing();
        Path out = dir.resolve("out.safetensors");
        RuntimeException e = assertThrows(RuntimeException.class, () -> Converter.convert(src, out, null));
        assertTrue(e instanceof ConversionException || e instanceof SafeTensorsException || e instanceof ModelFormatException, e.toString());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
        assertEquals(before, listing(), "nothing written");
    }

    private float[] textEmbed(Path model, String text) {
        return ClipModel.load(model).encodeText(text);
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path src = dir.resolve("openai-missing.safetensors");
        Checkpoints.copy(Fixtures.tiny("openai-fp16.safetensors"), src, n -> !n.equals("transformer.resblocks.1.ln_2.bias"), null);
        assertConversionFails(src, "missing tensor 'transformer.resblocks.1.ln_2.bias'");
    }

    @Test
    void wrongShapeIsNamed() throws IOException {
        Path src = dir.resolve("openai-shape.safetensors");
        try (SafeTensorsFile f = SafeTensorsFile.open(Fixtures.tiny("openai-fp16.safetensors"))) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (String n : f.names()) {
                TensorInfo t = f.info(n);
                if (n.equals("visual.transformer.resblocks.0.attn.out_proj.bias")) {
                    w.addFloats(n, DType.F16, new long[]{127}, () -> new float[127]);
                } else {
                    w.addBytes(n, t.dtype(), t.shape(), () -> f.bytes(n));
                }
            }
            w.write(src);
        }
        assertConversionFails(src, "'visual.transformer.resblocks.0.attn.out_proj.bias' has shape [127] but the config implies [128]");
    }

    @Test
    void unknownTensorIsNamed() throws IOException {
        Path src = dir.resolve("openai-extra.safetensors");
        try (SafeTensorsFile f = SafeTensorsFile.open(Fixtures.tiny("openai-fp16.safetensors"))) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (String n : f.names()) {
                TensorInfo t = f.info(n);
                w.addBytes(n, t.dtype(), t.shape(), () -> f.bytes(n));
            }
            w.addFloats("visual.adapter.weight", DType.F32, new long[]{2}, () -> new float[2]);
            w.write(src);
        }
        assertConversionFails(src, "unknown tensor 'visual.adapter.weight'");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.tiny("openai-fp16.safetensors"));
        String head = new String(bytes, 0, 200, StandardCharsets.ISO_8859_1);
        int at = head.indexOf("\"I64\"");
        assertTrue(at > 0, "the fixture header starts with an I64 scalar");
        byte[] bad = bytes.clone();
        System.arraycopy("\"Q64\"".getBytes(StandardCharsets.US_ASCII), 0, bad, at, 5);
        Path src = dir.resolve("dtype.safetensors");
        Files.write(src, bad);
        assertConversionFails(src, "unsupported dtype 'Q64'");
    }

    @Test
    void configThatDisagreesWithTheTensorsIsNamed() throws IOException {
        Path hf = dir.resolve("hf-bad-config");
        Checkpoints.copyHfSideFiles(Fixtures.tiny("hf"), hf, "vocab.json", "merges.txt");
        Files.copy(Fixtures.tiny("hf/model.safetensors"), hf.resolve("model.safetensors"));
        Files.writeString(hf.resolve("config.json"), Files.readString(Fixtures.tiny("hf/config.json"))
                .replace("\"intermediate_size\": 256", "\"intermediate_size\": 2048"));
        assertConversionFails(hf, "'text_model.encoder.layers.0.mlp.fc1.weight' has shape [256, 64] but the config implies [2048, 64]");
    }

    /** A copy of the tiny HF folder with {@code file} rewritten by {@code edit}. */
    private Path hfWith(String name, String file, UnaryOperator<String> edit) throws IOException {
        Path hf = dir.resolve(name);
        Checkpoints.copyHfSideFiles(Fixtures.tiny("hf"), hf, "vocab.json", "merges.txt", "config.json", "preprocessor_config.json");
        Files.copy(Fixtures.tiny("hf/model.safetensors"), hf.resolve("model.safetensors"));
        Files.writeString(hf.resolve(file), edit.apply(Files.readString(hf.resolve(file))));
        return hf;
    }

    @Test
    void sideFilesThatWouldFailLaterAreRefusedBeforeAnythingIsWritten() throws IOException {
        assertConversionFails(hfWith("empty-vocab", "vocab.json", v -> "{}"), "empty-vocab", "the tokenizer's vocabulary is empty");
        assertConversionFails(hfWith("no-eot", "vocab.json", v -> v.replace("\"<|endoftext|>\"", "\"<|end|>\"")),
                "the tokenizer's vocabulary lacks <|endoftext|>");
        assertConversionFails(hfWith("negative-id", "vocab.json", v -> v.replaceFirst(": 0([,}])", ": -1$1")), "has id -1; ids are 0 or more");
        assertConversionFails(hfWith("huge-id", "vocab.json", v -> v.replaceFirst(": 0([,}])", ": 99999999999$1")), "has id 99999999999");
        assertConversionFails(hfWith("huge-size", "preprocessor_config.json", c -> c.replace("\"size\": 224", "\"size\": 2147483647")),
                "preprocessor_config.json 'size' is 2147483647 pixels; it must be 1..8192");
        assertConversionFails(hfWith("rect-crop", "preprocessor_config.json",
                c -> c.replace("\"crop_size\": 224", "\"crop_size\": {\"height\": 224, \"width\": 100}")),
                "preprocessing crops images to 100x224 but the vision tower takes 224x224");
        assertConversionFails(hfWith("zero-std", "preprocessor_config.json", c -> c.replaceFirst("0\\.2686295\\d*", "0")),
                "preprocessor_config.json", "the std positive");
        assertConversionFails(hfWith("text-std", "preprocessor_config.json", c -> c.replaceFirst("0\\.2686295\\d*", "\"x\"")),
                "'image_std' value 1 is not a number");
        assertConversionFails(hfWith("string-width", "config.json", c -> c.replace("\"hidden_size\": 64", "\"hidden_size\": \"64\"")),
                "'hidden_size' is not an integer");
        Path latin1 = hfWith("latin1", "config.json", c -> c);
        Files.write(latin1.resolve("merges.txt"), new byte[] {'#', 'v', '\n', (byte) 0xe9, ' ', (byte) 0xe9, '\n'});
        assertConversionFails(latin1, "merges.txt is not UTF-8 text (an invalid byte at offset 3)");
    }

    @Test
    void weightsThatComputeNaNAreAnErrorNotNullEmbeddings() throws IOException {
        Path out = dir.resolve("nan.safetensors");
        Converter.convert(Fixtures.tiny("hf"), out, DType.F32);
        long begin;
        long length;
        try (SafeTensorsFile f = SafeTensorsFile.open(out)) {
            TensorInfo t = f.info(StateDictNames.TEXT.lnFinal().weight());
            // begin/end are relative to the data after the 8-byte length and the JSON header
            long header = ByteBuffer.wrap(Files.readAllBytes(out), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            begin = 8 + header + t.begin();
            length = t.end() - t.begin();
        }
        byte[] bytes = Files.readAllBytes(out);
        for (long i = begin; i < begin + length; i += 4) {
            bytes[(int) i + 2] = (byte) 0xc0; // 0x7fc00000: NaN
            bytes[(int) i + 3] = 0x7f;
        }
        Files.write(out, bytes);
        try (ClipModel clip = ClipModel.load(out)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> clip.encodeText("a cat"));
            assertTrue(e.getMessage().contains("non-finite text embedding") && e.getMessage().contains("weights hold NaN"), e.getMessage());
        }
    }

    @Test
    void notACheckpointAndPicklesAreRefused() throws IOException {
        Path other = dir.resolve("other.safetensors");
        new SafeTensorsWriter().addFloats("encoder.weight", DType.F32, new long[]{1}, () -> new float[1]).write(other);
        assertConversionFails(other, "not a CLIP checkpoint");
        Path pickle = dir.resolve("ViT-L-14-GmP-ft-state_dict.pt");
        Files.write(pickle, new byte[]{(byte) 0x80, 2});
        assertConversionFails(pickle, "a PyTorch pickle");
        assertConversionFails(dir.resolve("absent"), "no such file or folder");
        Path empty = dir.resolve("empty-folder");
        Files.createDirectory(empty);
        assertConversionFails(empty, "no model.safetensors");
    }

    @Test
    void aFailedConversionKeepsAnExistingTarget() throws IOException {
        Path out = dir.resolve("model.safetensors");
        Converter.convert(Fixtures.tiny("hf"), out, null);
        byte[] good = Files.readAllBytes(out);
        Path src = dir.resolve("broken.safetensors");
        Checkpoints.copy(Fixtures.tiny("openai-fp16.safetensors"), src, n -> !n.equals("ln_final.weight"), null);
        assertThrows(ConversionException.class, () -> Converter.convert(src, out, null));
        assertArrayEquals(good, Files.readAllBytes(out));
        assertEquals(List.of("broken.safetensors", "model.safetensors"), listing());
    }

    @Test
    void anotherFormatVersionIsRefusedWithAdviceToReconvert() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Converter.convert(Fixtures.tiny("hf"), good, null);
        Map<String, String> meta = new LinkedHashMap<>(RuntimeFile.open(good).metadata());
        meta.put(RuntimeFile.KEY_VERSION, "0");
        Path old = dir.resolve("old.safetensors");
        Checkpoints.copy(good, old, n -> true, meta);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipModel.load(old));
        assertTrue(e.getMessage().contains("format version 0") && e.getMessage().contains("re-convert"), e.getMessage());
    }

    @Test
    void runtimeFileWithAMissingTensorIsRefused() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Converter.convert(Fixtures.tiny("hf"), good, null);
        Path bad = dir.resolve("bad.safetensors");
        String lnFinalBias = StateDictNames.TEXT.lnFinal().bias();   // ln_final.bias
        Checkpoints.copy(good, bad, n -> !n.equals(lnFinalBias), null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ClipModel.load(bad));
        assertTrue(e.getMessage().contains("missing tensor 'ln_final.bias'"), e.getMessage());
    }

    @Test
    void defaultDtypeIsTheSources() throws IOException {
        Path hf = dir.resolve("hf.safetensors");
        Converter.convert(Fixtures.tiny("hf"), hf, null);
        Path gmp = dir.resolve("gmp.safetensors");
        Converter.convert(Fixtures.tiny("gmp-openai.safetensors"), gmp, null);
        try (SafeTensorsFile a = SafeTensorsFile.open(hf); SafeTensorsFile b = SafeTensorsFile.open(gmp)) {
            for (String n : a.names()) {
                assertEquals(DType.F16, a.info(n).dtype(), n);
            }
            StateDictNames.LinearNames cFc = StateDictNames.VISUAL.transformer().resblock(0).mlpCFc();
            assertEquals(DType.F32, b.info(cFc.weight()).dtype(), "GmP theta and r are F32");
            assertEquals(DType.F16, b.info(cFc.bias()).dtype());
        }
    }

    @Test
    void dtypeOptionConvertsEveryTensor() throws IOException {
        Map<DType, Path> out = new HashMap<>();
        for (DType d : new DType[]{DType.F32, DType.BF16, DType.F16}) {
            out.put(d, dir.resolve(d + ".safetensors"));
            Converter.convert(Fixtures.tiny("hf"), out.get(d), d);
            try (SafeTensorsFile f = SafeTensorsFile.open(out.get(d))) {
                for (String n : f.names()) {
                    assertEquals(d, f.info(n).dtype(), n);
                }
            }
        }
        float[] f32 = textEmbed(out.get(DType.F32), "a photo of a cat");
        // The fixture's weights are exact in F16, so F16 and F32 files compute the same.
        assertArrayEquals(f32, textEmbed(out.get(DType.F16), "a photo of a cat"));
        assertClose(f32, textEmbed(out.get(DType.BF16), "a photo of a cat"), 0.1, "bf16 is close, not equal");
        assertTrue(Files.size(out.get(DType.BF16)) < Files.size(out.get(DType.F32)) * 0.6);
    }

    @Test
    void convertedFilesConvertAgainUnchanged() throws IOException {
        Path once = dir.resolve("once.safetensors");
        Converter.convert(Fixtures.tiny("openai-fp16.safetensors"), once, null);
        Path twice = dir.resolve("twice.safetensors");
        Converter.convert(once, twice, null);
        assertArrayEquals(textEmbed(once, "a cat"), textEmbed(twice, "a cat"));
    }

    @Test
    void shardedHfFolderWithOnlyTokenizerJson() throws IOException {
        Path hf = dir.resolve("sharded");
        Checkpoints.copyHfSideFiles(Fixtures.tiny("hf"), hf, "config.json", "tokenizer.json", "preprocessor_config.json");
        Path src = Fixtures.tiny("hf/model.safetensors");
        Checkpoints.copy(src, hf.resolve("model-00001-of-00002.safetensors"), n -> n.startsWith("text_model."), null);
        Checkpoints.copy(src, hf.resolve("model-00002-of-00002.safetensors"), n -> !n.startsWith("text_model."), null);
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        try (SafeTensorsFile f = SafeTensorsFile.open(src)) {
            String sep = "";
            for (String n : f.names()) {
                index.append(sep).append('"').append(n).append("\": \"model-0000")
                        .append(n.startsWith("text_model.") ? 1 : 2).append("-of-00002.safetensors\"");
                sep = ", ";
            }
        }
        Files.writeString(hf.resolve("model.safetensors.index.json"), index.append("}}").toString());
        Path out = dir.resolve("sharded.safetensors");
        Converter.convert(hf, out, null);
        ClipModel m = ClipModel.load(out);
        try (SafeTensorsFile expected = Fixtures.expected()) {
            assertClose(expected.floats("text_embeds"), 0, m.encodeText(Fixtures.texts().getFirst()), 1e-4, "text_embeds[0] from shards");
            assertClose(expected.floats("image_embeds"), 0, m.encodeImage(Fixtures.images().getFirst()), 1e-4, "image_embeds[0] from shards");
        }
    }

    @Test
    void textEncoderOnlyHfFile() throws IOException {
        // As image generators ship it: the text model (with its projection) alone, with or without config.json.
        Path folder = dir.resolve("text_encoder");
        Files.createDirectories(folder);
        Checkpoints.copy(Fixtures.tiny("hf/model.safetensors"), folder.resolve("model.safetensors"),
                n -> n.startsWith("text_model.") || n.equals("text_projection.weight"), null);
        Path loose = dir.resolve("te-only.safetensors");
        Files.copy(folder.resolve("model.safetensors"), loose);
        Files.writeString(folder.resolve("config.json"), """
                {"architectures": ["CLIPTextModelWithProjection"], "model_type": "clip_text_model",
                 "hidden_size": 64, "intermediate_size": 256, "num_attention_heads": 1, "num_hidden_layers": 2,
                 "max_position_embeddings": 77, "vocab_size": 49408, "hidden_act": "quick_gelu",
                 "layer_norm_eps": 1e-05, "projection_dim": 32}
                """);
        for (Path src : List.of(folder, loose)) {
            Path out = dir.resolve("te-" + src.getFileName() + ".rt.safetensors");
            Converter.convert(src, out, null);
            ClipModel m = ClipModel.load(out);
            assertFalse(m.hasVision());
            try (SafeTensorsFile expected = Fixtures.expected()) {
                List<String> texts = Fixtures.texts();
                for (int i = 0; i < texts.size(); i++) {
                    assertClose(expected.floats("text_embeds"), i * 32, m.encodeText(texts.get(i)), 1e-4, src + " text " + i);
                }
            }
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> m.encodeImage(Fixtures.images().getFirst()));
            assertTrue(e.getMessage().contains("text-encoder-only"), e.getMessage());
        }
    }

    @Test
    void textEncoderWithoutProjectionReturnsThePooledOutput() throws IOException {
        Path src = dir.resolve("bare-text.safetensors");
        Checkpoints.copy(Fixtures.tiny("hf/model.safetensors"), src, n -> n.startsWith("text_model."), null);
        Path out = dir.resolve("bare.rt.safetensors");
        Converter.convert(src, out, null);
        ClipModel m = ClipModel.load(out);
        assertEquals(64, m.embedDim(), "CLIPTextModel's pooler_output is the width");
        assertEquals(64, m.encodeText("a cat").length);
    }
}
