package dev.jclip.core.image;

/**
 * The VP8L bit reader: bits are taken least significant first from consecutive bytes. Reading past the
 * end yields zeros and marks the stream truncated, which the decoder turns into an error once it
 * has used such bits (a file cut short never decodes to an image with a grey bottom).
 */
final class WebpLosslessBits {
    private final byte[] data;
    private final int end;
    private int next;        // next byte to load
    private long window;     // bits not yet consumed, lowest first
    private int available;   // how many bits of window are valid
    private long consumedPastEnd;

    WebpLosslessBits(byte[] data, int offset, int length) {
        this.data = data;
        this.next = offset;
        this.end = offset + length;
    }

    private void fill() {
        while (available <= 56) {
            long b = 0;
            if (next < end) {
                b = data[next] & 0xffL;
            }
            next++;
            window |= b << available;
            available += 8;
        }
    }

    /** The next {@code n} (0..24) bits without consuming them. */
    int peek(int n) {
        if (available < n) {
            fill();
        }
        return (int) (window & ((1L << n) - 1));
    }

    void skip(int n) {
        if (available < n) {
            fill();
        }
        window >>>= n;
        available -= n;
        long position = (long) next * 8 - available; // bit position after this read
        if (position > (long) end * 8) {
            consumedPastEnd = position - (long) end * 8;
        }
    }

    int read(int n) {
        int v = peek(n);
        skip(n);
        return v;
    }

    /** Whether any bit read so far lay past the end of the data. */
    boolean truncated() {
        return consumedPastEnd > 0;
    }
}
