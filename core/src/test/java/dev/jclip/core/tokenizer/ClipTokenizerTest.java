package dev.jclip.core.tokenizer;

import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    private static ClipTokenizer fromHfFiles() throws IOException {
        return new ClipTokenizer(TokenizerFiles.fromHfFolder(Fixtures.tiny("hf")), 77);
    }

    private static void assertFixtureIds(ClipTokenizer tok) {
        List<String> texts = Fixtures.texts();
        List<int[]> ids = Fixtures.inputIds();
        assertEquals(13, texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(ids.get(i), tok.encode(texts.get(i)), "text " + i + ": " + texts.get(i));
        }
    }

    @Test
    void vocabJsonAndMergesGiveTheReferenceIds() throws IOException {
        assertFixtureIds(fromHfFiles());
    }

    @Test
    void tokenizerJsonGivesTheReferenceIds() throws IOException {
        String json = java.nio.file.Files.readString(Fixtures.tiny("hf/tokenizer.json"));
        assertFixtureIds(new ClipTokenizer(TokenizerFiles.fromTokenizerJson(json, "tokenizer.json"), 77));
    }

    @Test
    void bundledTokenizerIsTheRealOne() throws IOException {
        TokenizerFiles bundled = TokenizerFiles.bundled();
        TokenizerFiles hf = TokenizerFiles.fromHfFolder(Fixtures.tiny("hf"));
        assertEquals(49408, bundled.vocab().size());
        assertEquals(hf.vocab(), bundled.vocab(), "vocabulary derived from the merges, as OpenAI's SimpleTokenizer does");
        assertEquals(hf.merges(), bundled.merges());
        assertFixtureIds(new ClipTokenizer(bundled, 77));
    }

    @Test
    void metadataRoundTrip() throws IOException {
        TokenizerFiles hf = TokenizerFiles.fromHfFolder(Fixtures.tiny("hf"));
        TokenizerFiles back = TokenizerFiles.fromMetadata(hf.vocabJson(), hf.mergesText(), "test");
        assertEquals(hf, back);
    }

    @Test
    void truncatesToTheContextKeepingEndOfText() throws IOException {
        ClipTokenizer tok = fromHfFiles();
        String longText = "word ".repeat(200);
        int[] ids = tok.encode(longText);
        assertEquals(77, ids.length);
        assertEquals(tok.startOfText(), ids[0]);
        assertEquals(tok.endOfText(), ids[76]);
        assertTrue(tok.truncates(longText));
        assertFalse(tok.truncates("a photo of a cat"));
        assertEquals(76, tok.encode("word ".repeat(74)).length, "74 words + 2 specials fit");
        assertFalse(tok.truncates("word ".repeat(75)), "75 words + 2 specials is exactly 77");
        assertTrue(tok.truncates("word ".repeat(76)));
    }

    @Test
    void whitespaceIsUnicodeAware() throws IOException {
        ClipTokenizer tok = fromHfFiles();
        int[] plain = tok.encode("a cat");
        assertArrayEquals(plain, tok.encode("  a\u00a0\u3000\t\ncat  "), "NBSP, ideographic space, tabs and newlines");
        assertArrayEquals(plain, tok.encode("A CAT"), "lowercased");
        assertEquals("a cat", ClipTokenizer.normalize(" a \u2003 cat "));
    }

    @Test
    void nfcComposesBeforeSplitting() throws IOException {
        ClipTokenizer tok = fromHfFiles();
        assertArrayEquals(tok.encode("caf\u00e9"), tok.encode("cafe\u0301"));
    }

    @Test
    void specialTokenLiteralsMapToTheirIds() throws IOException {
        ClipTokenizer tok = fromHfFiles();
        int[] ids = tok.encode("a <|endoftext|> b");
        assertEquals(5, ids.length);
        assertEquals(tok.endOfText(), ids[2]);
    }

    @Test
    void emptyTextIsJustTheSpecialTokens() throws IOException {
        ClipTokenizer tok = fromHfFiles();
        assertArrayEquals(new int[]{49406, 49407}, tok.encode(""));
        assertArrayEquals(new int[]{49406, 49407}, tok.encode(" \t\n "));
    }
}
