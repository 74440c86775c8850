package dev.jclip.core.image;

/**
 * Counts a JPEG's scans (SOS markers) by walking its marker segments and skipping each scan's
 * entropy-coded data, without decoding anything: a cheap look that lets a file with thousands of
 * repeated scans be refused before the decoder spends minutes on it.
 */
final class JpegScans {
    private JpegScans() {
    }

    /** The number of scans in {@code b}, counting no further than {@code stopAfter}. */
    static int count(byte[] b, int stopAfter) {
        int scans = 0;
        int p = 2; // after SOI
        while (p + 1 < b.length && scans <= stopAfter) {
            if ((b[p] & 0xff) != 0xFF) {
                p++; // garbage between segments: libjpeg skips it with a warning
                continue;
            }
            int marker = b[p + 1] & 0xff;
            if (marker == 0xFF || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                p++; // fill byte, TEM, or a restart marker outside a scan
                continue;
            }
            if (marker == 0xD9) {
                break; // EOI
            }
            if (p + 4 > b.length) {
                break;
            }
            int length = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            p += 2 + length;
            if (marker == 0xDA) {
                scans++;
                p = skipEntropyCoded(b, p);
            }
        }
        return scans;
    }

    /** The offset of the first marker after entropy-coded data starting at {@code p}. */
    private static int skipEntropyCoded(byte[] b, int p) {
        while (p + 1 < b.length) {
            if ((b[p] & 0xff) == 0xFF) {
                int next = b[p + 1] & 0xff;
                if (next != 0 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) {
                    return p;
                }
            }
            p++;
        }
        return b.length;
    }
}
