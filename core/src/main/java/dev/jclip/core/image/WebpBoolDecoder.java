package dev.jclip.core.image;

/**
 * VP8's boolean entropy decoder (RFC 6386 section 7): each bit is decoded against an 8-bit probability
 * that it is 0, by splitting the current range. Bytes past the end read as zero; {@link #overrun()}
 * tells when the decoder needed more than the bytes it was given (a truncated partition).
 */
final class WebpBoolDecoder {
    private final byte[] data;
    private final int end;
    private int next;
    private int value;     // two bytes of lookahead, as the RFC's decoder keeps them
    private int range = 255;
    private int bitCount;

    WebpBoolDecoder(byte[] data, int offset, int length) {
        this.data = data;
        this.next = offset;
        this.end = offset + length;
        value = (nextByte() << 8) | nextByte();
    }

    private int nextByte() {
        int b = next < end ? data[next] & 0xff : 0;
        next++;
        return b;
    }

    /** One bit whose probability of being 0 is {@code prob}/256. */
    int bit(int prob) {
        int split = 1 + (((range - 1) * prob) >> 8);
        int bigSplit = split << 8;
        int bit;
        if (value >= bigSplit) {
            bit = 1;
            range -= split;
            value -= bigSplit;
        } else {
            bit = 0;
            range = split;
        }
        while (range < 128) {
            value <<= 1;
            range <<= 1;
            if (++bitCount == 8) {
                bitCount = 0;
                value |= nextByte();
            }
        }
        return bit;
    }

    /** An unsigned {@code n}-bit literal, most significant bit first, each bit at probability 1/2. */
    int literal(int n) {
        int v = 0;
        while (n-- > 0) {
            v = (v << 1) | bit(128);
        }
        return v;
    }

    /** A magnitude of {@code n} bits followed by a sign bit. */
    int signedLiteral(int n) {
        int v = literal(n);
        return bit(128) == 1 ? -v : v;
    }

    /** Whether decoding needed bytes beyond the two of lookahead past the end: the data was cut short. */
    boolean overrun() {
        return next > end + 2;
    }
}
