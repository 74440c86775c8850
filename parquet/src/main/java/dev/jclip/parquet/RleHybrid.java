package dev.jclip.parquet;

import java.io.ByteArrayOutputStream;

/**
 * Parquet's RLE / bit-packing hybrid, used for repetition and definition levels and for dictionary
 * indices: runs, each either one value repeated or groups of 8 values packed at {@code bitWidth}
 * bits, least significant bit first.
 */
final class RleHybrid {
    private RleHybrid() {
    }

    /** Decodes {@code count} values from {@code b[from, to)}. */
    static int[] decode(byte[] b, int from, int to, int bitWidth, int count) {
        if (bitWidth < 0 || bitWidth > 32) {
            throw new IllegalStateException("bit width " + bitWidth);
        }
        int[] out = new int[count];
        int n = 0;
        int pos = from;
        while (n < count) {
            long header = 0;
            for (int shift = 0; ; shift += 7) {
                if (pos >= to || shift > 35) {
                    throw new IllegalStateException("levels or indices end early");
                }
                int x = b[pos++] & 0xFF;
                header |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            if ((header & 1) == 0) {               // a run of one value
                long run = header >>> 1;
                int bytes = (bitWidth + 7) / 8;
                if (pos + bytes > to) {
                    throw new IllegalStateException("levels or indices end early");
                }
                int v = 0;
                for (int i = 0; i < bytes; i++) {
                    v |= (b[pos++] & 0xFF) << (8 * i);
                }
                for (long i = 0; i < run && n < count; i++) {
                    out[n++] = v;
                }
            } else {                               // groups of 8 bit-packed values
                long values = (header >>> 1) * 8;
                long bits = values * bitWidth;
                if (pos + (bits + 7) / 8 > to) {
                    throw new IllegalStateException("levels or indices end early");
                }
                long bit = (long) pos * 8;
                for (long i = 0; i < values; i++, bit += bitWidth) {
                    if (n < count) {
                        out[n++] = bitsAt(b, bit, bitWidth);
                    }
                }
                pos += (int) ((bits + 7) / 8);
            }
        }
        return out;
    }

    private static int bitsAt(byte[] b, long bit, int width) {
        long v = 0;
        int got = 0;
        while (got < width) {
            int idx = (int) (bit >>> 3);
            int off = (int) (bit & 7);
            int take = Math.min(8 - off, width - got);
            v |= (long) ((b[idx] & 0xFF) >>> off & ((1 << take) - 1)) << got;
            got += take;
            bit += take;
        }
        return (int) v;
    }

    /** Encodes values as runs of repeated values only (simple, and levels are mostly long runs). */
    static byte[] encodeRuns(int[] values, int count, int bitWidth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int bytes = (bitWidth + 7) / 8;
        for (int i = 0; i < count; ) {
            int j = i;
            while (j < count && values[j] == values[i]) {
                j++;
            }
            long header = (long) (j - i) << 1;
            while ((header & ~0x7FL) != 0) {
                out.write((int) (header & 0x7F) | 0x80);
                header >>>= 7;
            }
            out.write((int) header);
            for (int k = 0; k < bytes; k++) {
                out.write(values[i] >>> (8 * k));
            }
            i = j;
        }
        return out.toByteArray();
    }

    /** The bits needed for values up to {@code max}. */
    static int bitWidth(int max) {
        return 32 - Integer.numberOfLeadingZeros(max);
    }
}
