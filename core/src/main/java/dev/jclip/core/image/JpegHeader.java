package dev.jclip.core.image;

/**
 * What libjpeg reads from a JPEG's markers to choose its colour conversion: a JFIF APP0 marker, an
 * Adobe APP14 marker's transform flag, and the frame's component ids. Read here from the bytes, since
 * ImageIO's metadata refuses files it finds out of order (an Exif APP1 before JFIF's APP0, as some
 * phones write) that libjpeg and Pillow read without a word.
 *
 * @param jfif           a JFIF APP0 marker is present
 * @param adobeTransform the Adobe marker's transform (0 none, 1 YCbCr, 2 YCCK), or -1 without one
 * @param componentIds   the frame header's component ids, e.g. "RGB" for some RGB JPEGs
 */
record JpegHeader(boolean jfif, int adobeTransform, String componentIds) {
    /** A marker segment before the first scan: its marker and where its payload lies in the file. */
    @FunctionalInterface
    interface Segment {
        /** Returns false to stop the walk. */
        boolean visit(int marker, int start, int end);
    }

    /** Walks the marker segments from SOI to the first scan (SOS) or EOI, as libjpeg reads them; stops at damage. */
    static void segments(byte[] b, Segment visitor) {
        int p = 2;
        while (p + 4 <= b.length && (b[p] & 0xff) == 0xFF) {
            int marker = b[p + 1] & 0xff;
            if (marker == 0xFF) {
                p++; // fill byte
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return; // start of scan or end of image: no more metadata
            }
            int length = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            int end = p + 2 + length;
            if (length < 2 || end > b.length || !visitor.visit(marker, p + 4, end)) {
                return;
            }
            p = end;
        }
    }

    static JpegHeader read(byte[] b) {
        boolean[] jfif = {false};
        int[] adobe = {-1};
        String[] ids = {""};
        segments(b, (marker, s, end) -> {
            if (marker == 0xE0 && end - s >= 5 && b[s] == 'J' && b[s + 1] == 'F' && b[s + 2] == 'I' && b[s + 3] == 'F' && b[s + 4] == 0) {
                jfif[0] = true;
            } else if (marker == 0xEE && end - s >= 12 && b[s] == 'A' && b[s + 1] == 'd' && b[s + 2] == 'o' && b[s + 3] == 'b' && b[s + 4] == 'e') {
                adobe[0] = b[s + 11] & 0xff;
            } else if (isStartOfFrame(marker) && end - s >= 6) {
                int n = b[s + 5] & 0xff;
                StringBuilder c = new StringBuilder();
                for (int i = 0; i < n && s + 6 + 3 * i < end; i++) {
                    c.append((char) (b[s + 6 + 3 * i] & 0xff));
                }
                ids[0] = c.toString();
            }
            return true;
        });
        return new JpegHeader(jfif[0], adobe[0], ids[0]);
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /**
     * libjpeg's rule for a 3-component JPEG: YCbCr if it has a JFIF marker; otherwise an Adobe marker's
     * transform flag decides (0 = RGB); otherwise component ids 'R','G','B' mean RGB.
     */
    boolean storesRgb() {
        if (jfif) {
            return false;
        }
        if (adobeTransform >= 0) {
            return adobeTransform == 0;
        }
        return componentIds.equals("RGB");
    }
}
