package dev.jclip.parquet;

/**
 * Snappy decompression (the raw format, which Parquet's SNAPPY codec uses; Spark's default): a
 * varint length, then literals and back-references. Every length and offset is checked against the
 * buffers, so a corrupt page is an error rather than a wrong result.
 */
final class Snappy {
    private Snappy() {
    }

    static byte[] decompress(byte[] in, int expectedLength) {
        int pos = 0;
        long length = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= in.length || shift > 28) {
                throw new IllegalStateException("snappy: bad length header");
            }
            int x = in[pos++] & 0xFF;
            length |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
        }
        if (length != expectedLength) {
            throw new IllegalStateException("snappy: holds " + length + " bytes, the page header says " + expectedLength);
        }
        byte[] out = new byte[expectedLength];
        int o = 0;
        while (pos < in.length) {
            int tag = in[pos++] & 0xFF;
            int kind = tag & 3;
            if (kind == 0) {                       // literal
                int n = tag >>> 2;
                if (n >= 60) {
                    int bytes = n - 59;
                    check(pos + bytes <= in.length);
                    n = 0;
                    for (int i = 0; i < bytes; i++) {
                        n |= (in[pos++] & 0xFF) << (8 * i);
                    }
                }
                long len = (n & 0xFFFFFFFFL) + 1;
                check(len <= in.length - pos && len <= out.length - o);
                System.arraycopy(in, pos, out, o, (int) len);
                pos += (int) len;
                o += (int) len;
                continue;
            }
            int len;
            int offset;
            if (kind == 1) {                       // copy, 11-bit offset
                check(pos < in.length);
                len = 4 + ((tag >>> 2) & 7);
                offset = (tag >>> 5) << 8 | (in[pos++] & 0xFF);
            } else if (kind == 2) {                // copy, 16-bit offset
                check(pos + 2 <= in.length);
                len = (tag >>> 2) + 1;
                offset = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
                pos += 2;
            } else {                               // copy, 32-bit offset
                check(pos + 4 <= in.length);
                len = (tag >>> 2) + 1;
                offset = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8 | (in[pos + 2] & 0xFF) << 16 | (in[pos + 3] & 0xFF) << 24;
                pos += 4;
            }
            check(offset > 0 && offset <= o && len <= out.length - o);
            for (int i = 0; i < len; i++) {        // byte by byte: a copy may overlap what it writes
                out[o] = out[o - offset];
                o++;
            }
        }
        check(o == out.length);
        return out;
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("snappy: corrupt compressed data");
        }
    }
}
