package dev.jclip.core.tokenizer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

/**
 * The CLIP tokenizer on arbitrary text: always ids, never an exception; they start with
 * {@code <|startoftext|>}, end with {@code <|endoftext|>}, fit the context and the vocabulary.
 */
class TokenizerFuzzTest {
    private static final ClipTokenizer TOKENIZER = new ClipTokenizer(TokenizerFiles.bundled(), 77);

    @FuzzTest(maxDuration = "30s")
    void encode(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        int[] ids = TOKENIZER.encode(text);
        if (ids.length < 2 || ids.length > 77 || ids[0] != TOKENIZER.startOfText() || ids[ids.length - 1] != TOKENIZER.endOfText()) {
            throw new AssertionError("bad token sequence of length " + ids.length);
        }
        for (int id : ids) {
            if (id < 0 || id >= 49408) {
                throw new AssertionError("id " + id + " outside the vocabulary");
            }
        }
    }
}
