package dev.jclip.core.image;

/**
 * A canonical prefix (Huffman) code of VP8L, built from code lengths as DEFLATE builds its codes:
 * shorter codes first, and within a length, smaller symbols first; the code's first bit is read
 * first. Codes of up to {@value #FAST_BITS} bits are decoded with one table look-up, longer ones by
 * walking the code lengths. A code with a single used symbol takes no bits, as VP8L specifies.
 */
final class WebpPrefixCode {
    static final int MAX_LENGTH = 15;
    private static final int FAST_BITS = 8;

    private final int single;        // the only symbol, or -1
    private final int[] fast;        // [2^FAST_BITS]: symbol << 4 | length, 0 when longer
    private final int[] counts;      // codes of each length
    private final int[] sorted;      // symbols ordered by (length, symbol)

    private WebpPrefixCode(int single, int[] fast, int[] counts, int[] sorted) {
        this.single = single;
        this.fast = fast;
        this.counts = counts;
        this.sorted = sorted;
    }

    /** The code for {@code lengths[s]} (0 = symbol unused); null when the lengths do not form a complete code. */
    static WebpPrefixCode of(int[] lengths) {
        int[] counts = new int[MAX_LENGTH + 1];
        int used = 0, last = -1;
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] > 0) {
                counts[lengths[s]]++;
                used++;
                last = s;
            }
        }
        if (used == 0) {
            return null;
        }
        if (used == 1) {
            return new WebpPrefixCode(last, null, null, null);
        }
        // Kraft: a complete code fills the code space exactly; libwebp refuses any other.
        long space = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            space += (long) counts[len] << (MAX_LENGTH - len);
        }
        if (space != 1L << MAX_LENGTH) {
            return null;
        }
        int[] offsets = new int[MAX_LENGTH + 2];
        for (int len = 1; len <= MAX_LENGTH; len++) {
            offsets[len + 1] = offsets[len] + counts[len];
        }
        int[] sorted = new int[used];
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] > 0) {
                sorted[offsets[lengths[s]]++] = s;
            }
        }
        int[] fast = new int[1 << FAST_BITS];
        int code = 0, index = 0;
        for (int len = 1; len <= FAST_BITS; len++) {
            for (int i = 0; i < counts[len]; i++, index++, code++) {
                int reversed = Integer.reverse(code) >>> (32 - len);
                for (int fill = reversed; fill < fast.length; fill += 1 << len) {
                    fast[fill] = sorted[index] << 4 | len;
                }
            }
            code <<= 1;
        }
        return new WebpPrefixCode(-1, fast, counts, sorted);
    }

    int read(WebpLosslessBits bits) {
        if (single >= 0) {
            return single;
        }
        int peek = bits.peek(MAX_LENGTH);
        int entry = fast[peek & ((1 << FAST_BITS) - 1)];
        if (entry != 0) {
            bits.skip(entry & 15);
            return entry >>> 4;
        }
        // Longer than FAST_BITS: walk the lengths, one bit at a time, as a canonical decoder does.
        int code = 0, first = 0, index = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code |= (peek >>> (len - 1)) & 1;
            int count = counts[len];
            if (code - first < count) {
                bits.skip(len);
                return sorted[index + code - first];
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        throw new IllegalStateException("a complete prefix code always decodes");
    }
}
