package dev.jclip.core.tokenizer;

import dev.jclip.core.io.ModelFormatException;
import dev.jclip.core.io.Utf8Files;
import dev.jclip.core.json.Json;
import dev.jclip.core.json.JsonException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BPE vocabulary (token → id) and its merge list (pairs "a b" in priority order): what a CLIP
 * tokenizer is made of, whichever files it came from.
 */
public record TokenizerFiles(Map<String, Integer> vocab, List<String> merges) {
    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    private static final String BUNDLED_MERGES = "clip-merges.txt";
    /** OpenAI's tokenizer keeps the first 49152 − 256 − 2 merges of its file, so the vocabulary is 49408. */
    private static final int OPENAI_MERGE_COUNT = 49152 - 256 - 2;

    public TokenizerFiles {
        vocab = Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
        merges = List.copyOf(merges);
    }

    /** The CLIP tokenizer shipped in the jar, for checkpoints (OpenAI layout) that carry none. */
    public static TokenizerFiles bundled() {
        try (InputStream in = TokenizerFiles.class.getResourceAsStream(BUNDLED_MERGES)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the bundled tokenizer " + BUNDLED_MERGES);
            }
            List<String> merges = parseMerges(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return fromMergesOnly(merges.subList(0, Math.min(OPENAI_MERGE_COUNT, merges.size())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the vocabulary the way OpenAI's {@code SimpleTokenizer} does: the 256 byte characters,
     * the same with {@code </w>}, one token per merge, then the two special tokens.
     */
    static TokenizerFiles fromMergesOnly(List<String> merges) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (char c : ByteLevel.VOCAB_ORDER) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (char c : ByteLevel.VOCAB_ORDER) {
            vocab.put(c + "</w>", vocab.size());
        }
        for (String m : merges) {
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        vocab.put(START_OF_TEXT, vocab.size());
        vocab.put(END_OF_TEXT, vocab.size());
        return new TokenizerFiles(vocab, merges);
    }

    /**
     * The tokenizer of an HF model folder: {@code vocab.json} + {@code merges.txt}, else
     * {@code tokenizer.json}; null if the folder has neither.
     */
    public static TokenizerFiles fromHfFolder(Path dir) throws IOException {
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            return new TokenizerFiles(parseVocab(Utf8Files.read(vocab), vocab.toString()),
                    parseMerges(Utf8Files.read(merges)));
        }
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(tokenizerJson)) {
            return fromTokenizerJson(Utf8Files.read(tokenizerJson), tokenizerJson.toString());
        }
        return null;
    }

    static TokenizerFiles fromTokenizerJson(String text, String where) {
        Map<String, Object> root;
        try {
            root = Json.parseObject(text);
        } catch (JsonException e) {
            throw new ModelFormatException(where + ": not valid JSON: " + e.getMessage());
        }
        if (!(root.get("model") instanceof Map<?, ?> model) || !"BPE".equals(model.get("type"))) {
            throw new ModelFormatException(where + ": not a BPE tokenizer");
        }
        if (!(model.get("vocab") instanceof Map<?, ?> v) || !(model.get("merges") instanceof List<?> m)) {
            throw new ModelFormatException(where + ": BPE model lacks 'vocab' or 'merges'");
        }
        Map<String, Integer> vocab = vocabFromJson(v, where);
        if (root.get("added_tokens") instanceof List<?> added) {
            for (Object o : added) {
                if (o instanceof Map<?, ?> t && t.get("content") instanceof String c && t.get("id") instanceof Long id) {
                    vocab.put(c, tokenId(id, c, where));
                }
            }
        }
        List<String> merges = new ArrayList<>();
        for (Object o : m) {
            // Older tokenizer.json files write a merge as "a b", newer ones as ["a", "b"].
            if (o instanceof String s) {
                merges.add(s);
            } else if (o instanceof List<?> pair && pair.size() == 2) {
                merges.add(pair.get(0) + " " + pair.get(1));
            } else {
                throw new ModelFormatException(where + ": bad merge entry " + o);
            }
        }
        return new TokenizerFiles(vocab, merges);
    }

    /** From the runtime file's metadata strings. */
    public static TokenizerFiles fromMetadata(String vocabJson, String mergesText, String where) {
        return new TokenizerFiles(parseVocab(vocabJson, where), parseMerges(mergesText));
    }

    private static Map<String, Integer> parseVocab(String json, String where) {
        try {
            return vocabFromJson(Json.parseObject(json), where);
        } catch (JsonException e) {
            throw new ModelFormatException(where + ": tokenizer vocabulary is not valid JSON: " + e.getMessage());
        }
    }

    private static Map<String, Integer> vocabFromJson(Map<?, ?> json, String where) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : json.entrySet()) {
            if (!(e.getValue() instanceof Long id)) {
                throw new ModelFormatException(where + ": vocabulary entry '" + e.getKey() + "' has no integer id");
            }
            vocab.put((String) e.getKey(), tokenId(id, e.getKey(), where));
        }
        return vocab;
    }

    private static int tokenId(long id, Object token, String where) {
        if (id < 0 || id > Integer.MAX_VALUE) {
            throw new ModelFormatException(where + ": token '" + token + "' has id " + id + "; ids are 0 or more");
        }
        return (int) id;
    }

    /** Merge lines, without the {@code #version} header and blank lines. */
    static List<String> parseMerges(String text) {
        List<String> merges = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (l.isEmpty() || l.startsWith("#version")) {
                continue;
            }
            merges.add(l);
        }
        return merges;
    }

    /**
     * Refuses a tokenizer that would fail, or encode wrongly, only later: an empty vocabulary, one
     * without the start and end tokens, ids outside {@code [0, vocabSize)} (the embedding table's
     * rows), byte characters missing (every text is first split into them), or merges whose parts or
     * results are not tokens. {@code where} names the files in the message.
     */
    public void check(String where, int vocabSize) {
        if (vocab.isEmpty()) {
            throw new ModelFormatException(where + ": the tokenizer's vocabulary is empty");
        }
        for (String special : List.of(START_OF_TEXT, END_OF_TEXT)) {
            if (!vocab.containsKey(special)) {
                throw new ModelFormatException(where + ": the tokenizer's vocabulary lacks " + special);
            }
        }
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (e.getValue() < 0 || e.getValue() >= vocabSize) {
                throw new ModelFormatException(where + ": token '" + e.getKey() + "' has id " + e.getValue()
                        + ", outside the model's " + vocabSize + " token embeddings");
            }
        }
        for (char c : ByteLevel.VOCAB_ORDER) {
            if (!vocab.containsKey(String.valueOf(c)) || !vocab.containsKey(c + "</w>")) {
                throw new ModelFormatException(where + ": the tokenizer's vocabulary lacks the byte token '" + c
                        + "' (or '" + c + "</w>'); every CLIP vocabulary has all 256");
            }
        }
        for (int i = 0; i < merges.size(); i++) {
            String m = merges.get(i);
            int space = m.indexOf(' ');
            if (space <= 0 || space == m.length() - 1 || m.indexOf(' ', space + 1) >= 0) {
                throw new ModelFormatException(where + ": merge " + (i + 1) + " ('" + m + "') is not two tokens");
            }
            if (!vocab.containsKey(m.substring(0, space) + m.substring(space + 1))) {
                throw new ModelFormatException(where + ": merge " + (i + 1) + " ('" + m + "') makes a token that is not in the vocabulary");
            }
        }
    }

    public String vocabJson() {
        return Json.write(vocab);
    }

    public String mergesText() {
        return String.join("\n", merges);
    }
}
