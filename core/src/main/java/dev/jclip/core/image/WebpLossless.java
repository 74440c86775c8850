package dev.jclip.core.image;

import java.util.ArrayList;
import java.util.List;

/**
 * A VP8L (lossless WebP) decoder, written from the format's specification (RFC 9649): transforms
 * (predictor, colour, subtract-green, colour indexing), prefix-coded ARGB with LZ77 back-references
 * and a colour cache, and meta prefix codes chosen per block by an entropy image. Lossless decoding
 * is fully determined by the file, so the pixels equal libwebp's (and so Pillow's) exactly.
 */
final class WebpLossless {
    private static final int GREEN = 0, RED = 1, BLUE = 2, ALPHA = 3, DIST = 4;
    private static final int NUM_LENGTH_CODES = 24;
    private static final int NUM_DISTANCE_CODES = 40;
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    /** The 120 short distance codes as (dx, dy) pairs: the nearest pixels above and to the left first. */
    private static final int[] DISTANCE_MAP = {
            0, 1, 1, 0, 1, 1, -1, 1, 0, 2, 2, 0, 1, 2, -1, 2, 2, 1, -2, 1, 2, 2, -2, 2, 0, 3, 3, 0, 1, 3, -1, 3,
            3, 1, -3, 1, 2, 3, -2, 3, 3, 2, -3, 2, 0, 4, 4, 0, 1, 4, -1, 4, 4, 1, -4, 1, 3, 3, -3, 3, 2, 4, -2, 4,
            4, 2, -4, 2, 0, 5, 3, 4, -3, 4, 4, 3, -4, 3, 5, 0, 1, 5, -1, 5, 5, 1, -5, 1, 2, 5, -2, 5, 5, 2, -5, 2,
            4, 4, -4, 4, 3, 5, -3, 5, 5, 3, -5, 3, 0, 6, 6, 0, 1, 6, -1, 6, 6, 1, -6, 1, 2, 6, -2, 6, 6, 2, -6, 2,
            4, 5, -4, 5, 5, 4, -5, 4, 3, 6, -3, 6, 6, 3, -6, 3, 0, 7, 7, 0, 1, 7, -1, 7, 5, 5, -5, 5, 7, 1, -7, 1,
            4, 6, -4, 6, 6, 4, -6, 4, 2, 7, -2, 7, 7, 2, -7, 2, 3, 7, -3, 7, 7, 3, -7, 3, 5, 6, -5, 6, 6, 5, -6, 5,
            8, 0, 4, 7, -4, 7, 7, 4, -7, 4, 8, 1, 8, 2, 6, 6, -6, 6, 8, 3, 5, 7, -5, 7, 7, 5, -7, 5, 8, 4, 6, 7,
            -6, 7, 7, 6, -7, 6, 8, 5, 7, 7, -7, 7, 8, 6, 8, 7};

    static {
        if (DISTANCE_MAP.length != 240) {
            throw new AssertionError("the distance map has 120 entries");
        }
    }

    private final WebpLosslessBits bits;
    private final String name;

    private WebpLossless(byte[] data, int offset, int length, String name) {
        this.bits = new WebpLosslessBits(data, offset, length);
        this.name = name;
    }

    /** The width and height in a VP8L header ({@code data[offset]} is the 0x2f signature); null if it is not one. */
    static int[] size(byte[] data, int offset, int length) {
        if (length < 5 || (data[offset] & 0xff) != 0x2f) {
            return null;
        }
        WebpLosslessBits b = new WebpLosslessBits(data, offset + 1, 4);
        int w = b.read(14) + 1;
        int h = b.read(14) + 1;
        return new int[] {w, h};
    }

    /** Decodes a VP8L bitstream to ARGB pixels, row by row. */
    static int[] decode(byte[] data, int offset, int length, String name) {
        return new WebpLossless(data, offset, length, name).decode();
    }

    private ImageDecodeException corrupt(String what) {
        return new ImageDecodeException(name + ": corrupt lossless WebP (" + what + ")");
    }

    private int[] decode() {
        if (bits.read(8) != 0x2f) {
            throw corrupt("no VP8L signature");
        }
        int width = bits.read(14) + 1;
        int height = bits.read(14) + 1;
        bits.read(1); // alpha is used: a hint only
        if (bits.read(3) != 0) {
            throw corrupt("unknown VP8L version");
        }
        int[] argb = decodeImage(width, height, true);
        if (bits.truncated()) {
            throw new ImageDecodeException(name + ": truncated lossless WebP (the data ends before the image does)");
        }
        return argb;
    }

    /** One transform as read, to be undone in reverse order. */
    private record Transform(int type, int xsize, int bits, int[] data) {
    }

    /**
     * An entropy-coded image of {@code xsize} × {@code ysize}; the main image ({@code main}) also carries
     * transforms and meta prefix codes, the images inside transforms do not.
     */
    private int[] decodeImage(int xsize, int ysize, boolean main) {
        List<Transform> transforms = new ArrayList<>();
        int codedWidth = xsize;
        if (main) {
            boolean[] seen = new boolean[4];
            while (bits.read(1) == 1) {
                int type = bits.read(2);
                if (seen[type]) {
                    throw corrupt("transform " + type + " given twice");
                }
                seen[type] = true;
                Transform t = readTransform(type, codedWidth, ysize);
                transforms.add(t);
                if (type == 3) {
                    codedWidth = subSample(codedWidth, t.bits());
                }
                checkTruncation();
            }
        }
        int cacheBits = 0;
        if (bits.read(1) == 1) {
            cacheBits = bits.read(4);
            if (cacheBits < 1 || cacheBits > 11) {
                throw corrupt("colour cache of " + cacheBits + " bits");
            }
        }
        int metaBits = 0, metaWidth = 0;
        int[] meta = null;
        int groups = 1;
        if (main && bits.read(1) == 1) {
            metaBits = bits.read(3) + 2;
            metaWidth = subSample(codedWidth, metaBits);
            meta = decodeImage(metaWidth, subSample(ysize, metaBits), false);
            for (int i = 0; i < meta.length; i++) {
                meta[i] = (meta[i] >> 8) & 0xffff;
                groups = Math.max(groups, meta[i] + 1);
            }
        }
        boolean[] used = new boolean[groups];
        if (meta == null) {
            used[0] = true;
        } else {
            for (int m : meta) {
                used[m] = true;
            }
        }
        WebpPrefixCode[][] codes = new WebpPrefixCode[groups][];
        int cacheSize = cacheBits == 0 ? 0 : 1 << cacheBits;
        int[] alphabet = {256 + NUM_LENGTH_CODES + cacheSize, 256, 256, 256, NUM_DISTANCE_CODES};
        for (int g = 0; g < groups; g++) {
            WebpPrefixCode[] group = new WebpPrefixCode[5];
            for (int k = 0; k < 5; k++) {
                group[k] = readCode(alphabet[k]);
                checkTruncation();
            }
            codes[g] = used[g] ? group : null; // groups no block uses are read past, not kept
        }
        int[] pixels = decodePixels(codedWidth, ysize, codes, meta, metaBits, metaWidth, cacheBits);
        for (int i = transforms.size() - 1; i >= 0; i--) {
            pixels = undo(transforms.get(i), pixels, ysize);
        }
        return pixels;
    }

    private void checkTruncation() {
        if (bits.truncated()) {
            throw new ImageDecodeException(name + ": truncated lossless WebP (the data ends before the image does)");
        }
    }

    private static int subSample(int size, int bits) {
        return (size + (1 << bits) - 1) >> bits;
    }

    private Transform readTransform(int type, int xsize, int ysize) {
        return switch (type) {
            case 0, 1 -> {
                int b = bits.read(3) + 2;
                yield new Transform(type, xsize, b, decodeImage(subSample(xsize, b), subSample(ysize, b), false));
            }
            case 2 -> new Transform(type, xsize, 0, null);
            default -> {
                int size = bits.read(8) + 1;
                int[] table = decodeImage(size, 1, false);
                for (int i = 1; i < size; i++) {
                    table[i] = addPixels(table[i], table[i - 1]);
                }
                int b = size <= 2 ? 3 : size <= 4 ? 2 : size <= 16 ? 1 : 0;
                int[] palette = new int[256]; // entries past the table are transparent black
                System.arraycopy(table, 0, palette, 0, size);
                yield new Transform(type, xsize, b, palette);
            }
        };
    }

    /** Reads one prefix code over {@code alphabet} symbols: the simple form (1–2 symbols) or code lengths. */
    private WebpPrefixCode readCode(int alphabet) {
        int[] lengths = new int[alphabet];
        if (bits.read(1) == 1) {
            int symbols = bits.read(1) + 1;
            int first = bits.read(bits.read(1) == 1 ? 8 : 1);
            if (first >= alphabet) {
                throw corrupt("symbol " + first + " outside an alphabet of " + alphabet);
            }
            lengths[first] = 1;
            if (symbols == 2) {
                int second = bits.read(8);
                if (second >= alphabet) {
                    throw corrupt("symbol " + second + " outside an alphabet of " + alphabet);
                }
                lengths[second] = 1;
            }
        } else {
            int[] codeLengthLengths = new int[19];
            int n = bits.read(4) + 4;
            for (int i = 0; i < n; i++) {
                codeLengthLengths[CODE_LENGTH_ORDER[i]] = bits.read(3);
            }
            WebpPrefixCode lengthCode = WebpPrefixCode.of(codeLengthLengths);
            if (lengthCode == null) {
                throw corrupt("invalid code-length code");
            }
            int maxSymbol = alphabet;
            if (bits.read(1) == 1) {
                int lengthBits = 2 + 2 * bits.read(3);
                maxSymbol = 2 + bits.read(lengthBits);
                if (maxSymbol > alphabet) {
                    throw corrupt("more code lengths than symbols");
                }
            }
            int previous = 8;
            int s = 0;
            while (s < alphabet && maxSymbol-- > 0) {
                int len = lengthCode.read(bits);
                if (len < 16) {
                    lengths[s++] = len;
                    if (len != 0) {
                        previous = len;
                    }
                } else {
                    int repeat = len == 16 ? 3 + bits.read(2) : len == 17 ? 3 + bits.read(3) : 11 + bits.read(7);
                    int value = len == 16 ? previous : 0;
                    if (s + repeat > alphabet) {
                        throw corrupt("code lengths run past the alphabet");
                    }
                    for (int r = 0; r < repeat; r++) {
                        lengths[s++] = value;
                    }
                }
                checkTruncation();
            }
        }
        WebpPrefixCode code = WebpPrefixCode.of(lengths);
        if (code == null) {
            throw corrupt("invalid prefix code");
        }
        return code;
    }

    private int[] decodePixels(int width, int height, WebpPrefixCode[][] codes, int[] meta, int metaBits, int metaWidth,
                               int cacheBits) {
        int total = width * height;
        int[] out = new int[total];
        int[] cache = cacheBits == 0 ? null : new int[1 << cacheBits];
        int cacheShift = 32 - cacheBits;
        int pos = 0;
        while (pos < total) {
            int x = pos % width, y = pos / width;
            WebpPrefixCode[] group = meta == null ? codes[0] : codes[meta[(y >> metaBits) * metaWidth + (x >> metaBits)]];
            int code = group[GREEN].read(bits);
            if (code < 256) {
                int red = group[RED].read(bits);
                int blue = group[BLUE].read(bits);
                int alpha = group[ALPHA].read(bits);
                int argb = alpha << 24 | red << 16 | code << 8 | blue;
                out[pos++] = argb;
                if (cache != null) {
                    cache[(0x1e35a7bd * argb) >>> cacheShift] = argb;
                }
            } else if (code < 256 + NUM_LENGTH_CODES) {
                int length = prefixValue(code - 256);
                int distance = planeDistance(prefixValue(group[DIST].read(bits)), width);
                if (distance > pos || length > total - pos) {
                    throw corrupt("a back-reference outside the image");
                }
                for (int i = 0; i < length; i++, pos++) {
                    int argb = out[pos - distance];
                    out[pos] = argb;
                    if (cache != null) {
                        cache[(0x1e35a7bd * argb) >>> cacheShift] = argb;
                    }
                }
            } else {
                int index = code - 256 - NUM_LENGTH_CODES;
                if (cache == null || index >= cache.length) {
                    throw corrupt("a colour cache index without a cache");
                }
                out[pos++] = cache[index];
            }
            if (bits.truncated()) {
                throw new ImageDecodeException(name + ": truncated lossless WebP (the data ends before the image does)");
            }
        }
        return out;
    }

    /** A length or distance from its prefix symbol and extra bits. */
    private int prefixValue(int symbol) {
        if (symbol < 4) {
            return symbol + 1;
        }
        int extra = (symbol - 2) >> 1;
        int offset = (2 + (symbol & 1)) << extra;
        return offset + bits.read(extra) + 1;
    }

    private static int planeDistance(int code, int width) {
        if (code > 120) {
            return code - 120;
        }
        int d = DISTANCE_MAP[2 * (code - 1)] + DISTANCE_MAP[2 * (code - 1) + 1] * width;
        return Math.max(d, 1);
    }

    // ------------------------------------------------------------------------------------------------
    // Transforms, undone

    private int[] undo(Transform t, int[] pixels, int height) {
        switch (t.type()) {
            case 0 -> undoPredictor(t, pixels, height);
            case 1 -> undoColor(t, pixels, height);
            case 2 -> {
                for (int i = 0; i < pixels.length; i++) {
                    int p = pixels[i];
                    int g = (p >> 8) & 0xff;
                    pixels[i] = (p & 0xff00ff00) | ((((p >> 16) + g) & 0xff) << 16) | ((p + g) & 0xff);
                }
            }
            default -> {
                return undoIndexing(t, pixels, height);
            }
        }
        return pixels;
    }

    private static void undoPredictor(Transform t, int[] px, int height) {
        int w = t.xsize();
        int tilesPerRow = subSample(w, t.bits());
        px[0] = addPixels(px[0], 0xff000000);
        for (int x = 1; x < w; x++) {
            px[x] = addPixels(px[x], px[x - 1]);
        }
        for (int y = 1; y < height; y++) {
            int row = y * w;
            px[row] = addPixels(px[row], px[row - w]);
            for (int x = 1; x < w; x++) {
                int mode = (t.data()[(y >> t.bits()) * tilesPerRow + (x >> t.bits())] >> 8) & 0xf;
                int i = row + x;
                int left = px[i - 1], top = px[i - w], topLeft = px[i - w - 1];
                int topRight = px[i - w + 1]; // for the last column: the first pixel of this row, as specified
                int predicted = switch (mode) {
                    case 1 -> left;
                    case 2 -> top;
                    case 3 -> topRight;
                    case 4 -> topLeft;
                    case 5 -> average(average(left, topRight), top);
                    case 6 -> average(left, topLeft);
                    case 7 -> average(left, top);
                    case 8 -> average(topLeft, top);
                    case 9 -> average(top, topRight);
                    case 10 -> average(average(left, topLeft), average(top, topRight));
                    case 11 -> select(top, left, topLeft);
                    case 12 -> clampAddSubtractFull(left, top, topLeft);
                    case 13 -> clampAddSubtractHalf(average(left, top), topLeft);
                    default -> 0xff000000; // 0, and the unused 14 and 15
                };
                px[i] = addPixels(px[i], predicted);
            }
        }
    }

    private static void undoColor(Transform t, int[] px, int height) {
        int w = t.xsize();
        int tilesPerRow = subSample(w, t.bits());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < w; x++) {
                int m = t.data()[(y >> t.bits()) * tilesPerRow + (x >> t.bits())];
                byte greenToRed = (byte) m, greenToBlue = (byte) (m >> 8), redToBlue = (byte) (m >> 16);
                int i = y * w + x;
                int p = px[i];
                byte green = (byte) (p >> 8);
                int red = ((p >> 16) + delta(greenToRed, green)) & 0xff;
                int blue = (p + delta(greenToBlue, green) + delta(redToBlue, (byte) red)) & 0xff;
                px[i] = (p & 0xff00ff00) | red << 16 | blue;
            }
        }
    }

    private static int delta(byte t, byte c) {
        return (t * c) >> 5;
    }

    private static int[] undoIndexing(Transform t, int[] packed, int height) {
        int w = t.xsize();
        int[] palette = t.data();
        int[] out = new int[w * height];
        int perPixel = t.bits(); // log2 of indices per packed pixel
        int packedWidth = subSample(w, perPixel);
        int bitsPerIndex = 8 >> perPixel;
        int mask = (1 << bitsPerIndex) - 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < w; x++) {
                int g = (packed[y * packedWidth + (x >> perPixel)] >> 8) & 0xff;
                int index = (g >> ((x & ((1 << perPixel) - 1)) * bitsPerIndex)) & mask;
                out[y * w + x] = palette[index];
            }
        }
        return out;
    }

    /** Per-channel addition modulo 256. */
    private static int addPixels(int a, int b) {
        int ag = (a & 0xff00ff00) + (b & 0xff00ff00);
        int rb = (a & 0x00ff00ff) + (b & 0x00ff00ff);
        return (ag & 0xff00ff00) | (rb & 0x00ff00ff);
    }

    /** Per-channel floor of the mean. */
    private static int average(int a, int b) {
        return (((a ^ b) & 0xfefefefe) >>> 1) + (a & b);
    }

    /** Whichever of top and left is nearer (in summed channel distance) to top + left − topLeft; top on a tie. */
    private static int select(int top, int left, int topLeft) {
        int score = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int t = (top >>> shift) & 0xff, l = (left >>> shift) & 0xff, tl = (topLeft >>> shift) & 0xff;
            score += Math.abs(l - tl) - Math.abs(t - tl);
        }
        return score <= 0 ? top : left;
    }

    private static int clampAddSubtractFull(int a, int b, int c) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int v = ((a >>> shift) & 0xff) + ((b >>> shift) & 0xff) - ((c >>> shift) & 0xff);
            out |= clamp255(v) << shift;
        }
        return out;
    }

    private static int clampAddSubtractHalf(int a, int b) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int ca = (a >>> shift) & 0xff, cb = (b >>> shift) & 0xff;
            out |= clamp255(ca + (ca - cb) / 2) << shift;
        }
        return out;
    }

    private static int clamp255(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
