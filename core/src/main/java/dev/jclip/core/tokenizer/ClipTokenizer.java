package dev.jclip.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer (OpenAI's {@code simple_tokenizer.py}, HF's {@code CLIPTokenizerFast}).
 *
 * <p>Steps: NFC; every run of Unicode whitespace becomes one space; trim; lowercase; split with the
 * CLIP pattern; each piece's UTF-8 bytes mapped to characters ({@link ByteLevel}) and merged by BPE
 * with {@code </w>} marking the end of the piece. The ids are wrapped in {@code <|startoftext|>} …
 * {@code <|endoftext|>} and truncated to the context length with {@code <|endoftext|>} kept last.
 * Thread-safe.
 */
public final class ClipTokenizer {
    private static final Pattern SPLIT = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+");
    private static final int CACHE_LIMIT = 50_000;
    private static final int CACHED_PIECE_LENGTH = 64;

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final int startOfText;
    private final int endOfText;
    private final int contextLength;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    public ClipTokenizer(TokenizerFiles files, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length " + contextLength + " leaves no room for text");
        }
        this.vocab = files.vocab();
        this.mergeRanks = new HashMap<>();
        for (int i = 0; i < files.merges().size(); i++) {
            mergeRanks.putIfAbsent(files.merges().get(i), i);
        }
        this.startOfText = special(TokenizerFiles.START_OF_TEXT);
        this.endOfText = special(TokenizerFiles.END_OF_TEXT);
        this.contextLength = contextLength;
    }

    private int special(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer vocabulary lacks " + token);
        }
        return id;
    }

    public int startOfText() {
        return startOfText;
    }

    public int endOfText() {
        return endOfText;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Ids from {@code <|startoftext|>} to {@code <|endoftext|>}, unpadded, at most the context length. */
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        ids.add(startOfText);
        Matcher m = SPLIT.matcher(normalize(text));
        while (m.find() && ids.size() < contextLength) {
            for (int id : bpe(m.group())) {
                ids.add(id);
            }
        }
        int n = Math.min(ids.size(), contextLength - 1);
        int[] out = new int[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = ids.get(i);
        }
        out[n] = endOfText;
        return out;
    }

    /** True if {@link #encode} would drop tokens of {@code text} to fit the context length. */
    public boolean truncates(String text) {
        Matcher m = SPLIT.matcher(normalize(text));
        int count = 2;
        while (m.find()) {
            count += bpe(m.group()).length;
            if (count > contextLength) {
                return true;
            }
        }
        return false;
    }

    /** NFC, whitespace runs to one space, trim, lowercase. */
    static String normalize(String text) {
        String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
        StringBuilder sb = new StringBuilder(nfc.length());
        boolean inSpace = false;
        for (int i = 0; i < nfc.length(); ) {
            int cp = nfc.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhitespace(cp)) {
                inSpace = true;
                continue;
            }
            if (inSpace && !sb.isEmpty()) {
                sb.append(' ');
            }
            inSpace = false;
            sb.appendCodePoint(cp);
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code text} holds nothing but whitespace as the tokenizer sees it (NBSP, U+2007, U+202F
     * and U+0085 included), so that it would encode to just the start and end tokens.
     */
    public static boolean isBlank(String text) {
        return text.codePoints().allMatch(ClipTokenizer::isWhitespace);
    }

    /** Python's {@code str.isspace}, which the reference's {@code \s+} uses: Unicode whitespace, NBSP included. */
    static boolean isWhitespace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    private int[] bpe(String piece) {
        if (piece.equals(TokenizerFiles.START_OF_TEXT)) {
            return new int[]{startOfText};
        }
        if (piece.equals(TokenizerFiles.END_OF_TEXT)) {
            return new int[]{endOfText};
        }
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        List<String> word = new ArrayList<>(utf8.length);
        for (byte b : utf8) {
            word.add(String.valueOf(ByteLevel.BYTE_TO_CHAR[b & 0xff]));
        }
        int last = word.size() - 1;
        word.set(last, word.get(last) + "</w>");
        word = BytePairMerge.merge(word, mergeRanks);
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(word.get(i));
            if (id == null) {
                throw new IllegalStateException("BPE produced '" + word.get(i) + "', which the vocabulary lacks");
            }
            ids[i] = id;
        }
        if (piece.length() <= CACHED_PIECE_LENGTH) {   // words repeat; a long run of letters is rarely seen twice
            if (cache.size() > CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(piece, ids);
        }
        return ids; // callers only read it
    }
}
