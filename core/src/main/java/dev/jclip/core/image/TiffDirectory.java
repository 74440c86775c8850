package dev.jclip.core.image;

import java.util.HashMap;
import java.util.Map;

/**
 * The first image file directory (IFD) of a TIFF structure, as found in TIFF files and in EXIF
 * blocks: the integer values (BYTE, SHORT, LONG) of each tag. Malformed structures give an empty
 * directory: metadata never makes an image unreadable. Values are capped at 65,536 per tag, which is
 * more than any tag this project reads (a 16-bit palette has 3 × 65,536... of which only 3 × 256 are
 * read).
 */
final class TiffDirectory {
    static final int ORIENTATION = 0x0112;
    static final int PHOTOMETRIC = 262;
    static final int COLOR_MAP = 320;
    static final int PHOTOMETRIC_SEPARATED = 5;

    private static final int MAX_VALUES = 3 * 65536;
    private final Map<Integer, long[]> tags;

    private TiffDirectory(Map<Integer, long[]> tags) {
        this.tags = tags;
    }

    /** The values of {@code tag}, or null when absent. */
    long[] values(int tag) {
        return tags.get(tag);
    }

    /** The first value of {@code tag}, or {@code otherwise}. */
    long value(int tag, long otherwise) {
        long[] v = tags.get(tag);
        return v == null || v.length == 0 ? otherwise : v[0];
    }

    /** The first IFD of the TIFF structure in {@code b[start, end)}. */
    static TiffDirectory read(byte[] b, int start, int end) {
        Map<Integer, long[]> tags = new HashMap<>();
        if (end - start < 8 || end > b.length) {
            return new TiffDirectory(tags);
        }
        boolean little;
        if (b[start] == 'I' && b[start + 1] == 'I') {
            little = true;
        } else if (b[start] == 'M' && b[start + 1] == 'M') {
            little = false;
        } else {
            return new TiffDirectory(tags);
        }
        if (u16(b, start + 2, little) != 42) {
            return new TiffDirectory(tags);
        }
        long ifd = u32(b, start + 4, little);
        if (ifd < 8 || ifd > end - start - 2L) {
            return new TiffDirectory(tags);
        }
        int at = start + (int) ifd;
        int entries = u16(b, at, little);
        for (int i = 0; i < entries; i++) {
            int e = at + 2 + 12 * i;
            if (e + 12 > end) {
                break;
            }
            int tag = u16(b, e, little);
            int type = u16(b, e + 2, little);
            long count = u32(b, e + 4, little);
            int size = switch (type) {
                case 1 -> 1;  // BYTE
                case 3 -> 2;  // SHORT
                case 4 -> 4;  // LONG
                default -> 0;
            };
            if (size == 0 || count <= 0 || count > MAX_VALUES) {
                continue;
            }
            long bytes = count * size;
            long dataAt = bytes <= 4 ? e + 8 : start + u32(b, e + 8, little);
            if (dataAt < start || dataAt + bytes > end) {
                continue;
            }
            long[] values = new long[(int) count];
            for (int k = 0; k < count; k++) {
                int p = (int) (dataAt + (long) k * size);
                values[k] = switch (size) {
                    case 1 -> b[p] & 0xff;
                    case 2 -> u16(b, p, little);
                    default -> u32(b, p, little);
                };
            }
            tags.put(tag, values);
        }
        return new TiffDirectory(tags);
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 : (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static long u32(byte[] b, int p, boolean little) {
        long lo = u16(b, little ? p : p + 2, little);
        long hi = u16(b, little ? p + 2 : p, little);
        return hi << 16 | lo;
    }
}
