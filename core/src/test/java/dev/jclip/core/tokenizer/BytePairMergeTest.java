package dev.jclip.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queued merge against the specification: the reference's loop, written out plainly here. */
class BytePairMergeTest {
    private static final Map<String, Integer> RANKS = ranks();

    private static Map<String, Integer> ranks() {
        List<String> merges = TokenizerFiles.bundled().merges();
        Map<String, Integer> r = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            r.putIfAbsent(merges.get(i), i);
        }
        return r;
    }

    /** OpenAI simple_tokenizer.bpe: merge every occurrence of the lowest-ranked pair, left to right, until none is left. */
    private static List<String> reference(List<String> symbols) {
        List<String> word = new ArrayList<>(symbols);
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = RANKS.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>();
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        return word;
    }

    private static List<String> symbols(String piece) {
        List<String> s = new ArrayList<>();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
            s.add(String.valueOf(ByteLevel.BYTE_TO_CHAR[b & 0xff]));
        }
        s.set(s.size() - 1, s.getLast() + "</w>");
        return s;
    }

    @Test
    void sameMergesAsTheReferenceLoop() {
        Random r = new Random(20261127);
        String[] alphabets = {"abcdefghijklmnopqrstuvwxyz", "aeiou", "ab", "x", "éüßøåçñ", "日本語中文字", "🙂👍", "0123456789!?.,'-"};
        int compared = 0;
        for (int t = 0; t < 3000; t++) {
            String alphabet = alphabets[t % alphabets.length];
            int len = 1 + r.nextInt(t % 10 == 0 ? 300 : 24);
            StringBuilder sb = new StringBuilder();
            while (sb.length() < len) {
                sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            List<String> s = symbols(sb.toString());
            assertEquals(reference(s), BytePairMerge.merge(s, RANKS), sb.toString());
            compared++;
        }
        for (String word : List.of("photograph", "aaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababab", "mississippi", "supercalifragilistic")) {
            assertEquals(reference(symbols(word)), BytePairMerge.merge(symbols(word), RANKS), word);
        }
        assertEquals(3000, compared);
    }

    @Test
    void aLongWordWithoutSpacesIsQuick() {
        // 200,000 random letters: the reference loop needs minutes for this; the queue a fraction of a second.
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        List<String> merged = BytePairMerge.merge(symbols(sb.toString()), RANKS);
        assertEquals(sb + "</w>", String.join("", merged), "the tokens spell the word");
        assertTrue(merged.size() < 150_000, "merged into multi-letter tokens: " + merged.size());
    }
}
