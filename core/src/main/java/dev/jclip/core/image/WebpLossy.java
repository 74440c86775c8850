package dev.jclip.core.image;

import java.util.Arrays;

/**
 * A VP8 key-frame (lossy WebP) decoder to Y, U and V planes, exact to libwebp: boolean-coded headers,
 * modes and DCT tokens (RFC 6386), intra prediction with libwebp's edge values (127 above the image,
 * 129 left of it), the inverse transforms, and the normal or simple loop filter. Every step is integer
 * arithmetic fixed by the format, so the planes equal the reference decoder's bit for bit;
 * {@link WebpYuv} then turns them into RGB as libwebp does for Pillow.
 *
 * <p>Reconstruction works on one macroblock at a time in a small buffer with a one-pixel border (and
 * four pixels beyond the right edge for the sub-blocks' above-right samples), as libwebp does: the
 * predictions read unfiltered neighbours, and the loop filter runs over the whole frame afterwards in
 * macroblock order, which gives the same pixels as libwebp's row-delayed filtering.
 */
final class WebpLossy {
    /** Decoded planes; the image is {@code width} × {@code height}, chroma at half size rounded up. */
    record Planes(int width, int height, byte[] y, int yStride, byte[] u, byte[] v, int uvStride) {
    }

    private static final int DC_PRED = 0, TM_PRED = 1, V_PRED = 2, H_PRED = 3;
    private static final int B_DC = 0, B_TM = 1, B_VE = 2, B_HE = 3, B_RD = 4, B_VR = 5, B_LD = 6, B_VL = 7, B_HD = 8, B_HU = 9;
    /** The sub-block mode tree: pairs of (bit 0, bit 1) children; ≤ 0 is a leaf, minus the mode. */
    private static final int[] BMODE_TREE = {-B_DC, 1, -B_TM, 2, -B_VE, 3, 4, 6, -B_HE, 5, -B_RD, -B_VR, -B_LD, 7, -B_VL, 8, -B_HD, -B_HU};
    private static final int[] BANDS = {0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0};
    private static final int[] ZIGZAG = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};
    private static final int[][] CAT_PROBS = {{173, 148, 140}, {176, 155, 140, 135}, {180, 157, 141, 134, 130},
            {254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129}};
    private static final int BPS = 32;              // work buffer stride
    private static final int ORIGIN = BPS + 8;      // pixel (0, 0) of a block in its work buffer

    private final byte[] data;
    private final String name;
    private int width, height, mbw, mbh;
    private final int[] probs = new int[4 * 8 * 3 * 11];

    // Segment and filter headers.
    private boolean useSegment, updateMap, absoluteDelta = true;
    private final int[] segQuant = new int[4], segFilter = new int[4], segProbs = {255, 255, 255};
    private boolean simpleFilter, useLfDelta;
    private int filterLevel, sharpness;
    private final int[] refLfDelta = new int[4], modeLfDelta = new int[4];
    private boolean useSkipProb;
    private int skipProb;
    /** Per segment: y1 dc, y1 ac, y2 dc, y2 ac, uv dc, uv ac. */
    private final int[][] dq = new int[4][6];

    private WebpBoolDecoder header;
    private WebpBoolDecoder[] parts;

    // Per-row and per-column state.
    private int[] intraTop;           // [mbw·4] sub-block modes above
    private final int[] intraLeft = new int[4];
    private int[] nzTop;              // [mbw·9]: 4 Y, 2 U, 2 V, 1 Y2 flags of the blocks above
    private final int[] nzLeft = new int[9];
    private byte[] topY, topU, topV;  // unfiltered bottom rows of the macroblock row above
    private final byte[] yb = new byte[BPS * 17], ub = new byte[BPS * 9], vb = new byte[BPS * 9];
    private final short[] coeffs = new short[384];

    // The frame, and what the loop filter needs per macroblock.
    private byte[] planeY, planeU, planeV;
    private int yStride, uvStride;
    private int[] fLimit, fInner, fIlevel, fHev;

    private WebpLossy(byte[] data, String name) {
        this.data = data;
        this.name = name;
    }

    /** Width and height from a VP8 key frame's header at {@code offset}; null if it is not one. */
    static int[] size(byte[] data, int offset, int length) {
        if (length < 10) {
            return null;
        }
        int tag = (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 | (data[offset + 2] & 0xff) << 16;
        if ((tag & 1) != 0 || (data[offset + 3] & 0xff) != 0x9d || (data[offset + 4] & 0xff) != 0x01 || (data[offset + 5] & 0xff) != 0x2a) {
            return null;
        }
        int w = ((data[offset + 7] & 0xff) << 8 | (data[offset + 6] & 0xff)) & 0x3fff;
        int h = ((data[offset + 9] & 0xff) << 8 | (data[offset + 8] & 0xff)) & 0x3fff;
        return new int[] {w, h};
    }

    static Planes decode(byte[] data, int offset, int length, String name) {
        return new WebpLossy(data, name).run(offset, length);
    }

    private ImageDecodeException corrupt(String what) {
        return new ImageDecodeException(name + ": corrupt lossy WebP (" + what + ")");
    }

    private ImageDecodeException truncated() {
        return new ImageDecodeException(name + ": truncated lossy WebP (the data ends before the image does)");
    }

    private Planes run(int offset, int length) {
        int[] dims = size(data, offset, length);
        if (dims == null) {
            throw corrupt("not a VP8 key frame");
        }
        int tag = (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 | (data[offset + 2] & 0xff) << 16;
        if (((tag >> 1) & 7) > 3) {
            throw corrupt("unknown VP8 profile");
        }
        if (((tag >> 4) & 1) == 0) {
            throw corrupt("frame marked not to be shown");
        }
        int firstPartition = tag >>> 5;
        width = dims[0];
        height = dims[1];
        if (width == 0 || height == 0) {
            throw corrupt("image has no pixels (" + width + "x" + height + ")");
        }
        mbw = (width + 15) >> 4;
        mbh = (height + 15) >> 4;
        int p = offset + 10;
        int end = offset + length;
        if (firstPartition > end - p) {
            throw truncated();
        }
        header = new WebpBoolDecoder(data, p, firstPartition);
        readHeaders();
        readPartitions(p + firstPartition, end);
        readQuantizers();
        header.bit(128); // refresh entropy probabilities: meaningless for a single key frame
        readProbabilities();
        decodeFrame();
        loopFilter();
        return new Planes(width, height, planeY, yStride, planeU, planeV, uvStride);
    }

    // ------------------------------------------------------------------------------------------------
    // Headers (RFC 6386 section 9)

    private void readHeaders() {
        header.bit(128); // colour space: only 0 is defined, and decoders ignore it
        header.bit(128); // clamping type: pixel values are always clamped here
        useSegment = header.bit(128) == 1;
        if (useSegment) {
            updateMap = header.bit(128) == 1;
            if (header.bit(128) == 1) {
                absoluteDelta = header.bit(128) == 1;
                for (int s = 0; s < 4; s++) {
                    segQuant[s] = header.bit(128) == 1 ? header.signedLiteral(7) : 0;
                }
                for (int s = 0; s < 4; s++) {
                    segFilter[s] = header.bit(128) == 1 ? header.signedLiteral(6) : 0;
                }
            }
            if (updateMap) {
                for (int s = 0; s < 3; s++) {
                    segProbs[s] = header.bit(128) == 1 ? header.literal(8) : 255;
                }
            }
        }
        simpleFilter = header.bit(128) == 1;
        filterLevel = header.literal(6);
        sharpness = header.literal(3);
        useLfDelta = header.bit(128) == 1;
        if (useLfDelta && header.bit(128) == 1) {
            for (int i = 0; i < 4; i++) {
                if (header.bit(128) == 1) {
                    refLfDelta[i] = header.signedLiteral(6);
                }
            }
            for (int i = 0; i < 4; i++) {
                if (header.bit(128) == 1) {
                    modeLfDelta[i] = header.signedLiteral(6);
                }
            }
        }
        if (header.overrun()) {
            throw truncated();
        }
    }

    private void readPartitions(int start, int end) {
        int count = 1 << header.literal(2);
        int sizes = start;
        int p = start + 3 * (count - 1);
        if (p > end) {
            throw truncated();
        }
        parts = new WebpBoolDecoder[count];
        for (int i = 0; i < count - 1; i++) {
            int size = (data[sizes] & 0xff) | (data[sizes + 1] & 0xff) << 8 | (data[sizes + 2] & 0xff) << 16;
            sizes += 3;
            size = Math.min(size, end - p);
            parts[i] = new WebpBoolDecoder(data, p, size);
            p += size;
        }
        if (p >= end) {
            throw truncated(); // libwebp requires at least one byte in the last partition
        }
        parts[count - 1] = new WebpBoolDecoder(data, p, end - p);
    }

    private void readQuantizers() {
        int base = header.literal(7);
        int y1dc = header.bit(128) == 1 ? header.signedLiteral(4) : 0;
        int y2dc = header.bit(128) == 1 ? header.signedLiteral(4) : 0;
        int y2ac = header.bit(128) == 1 ? header.signedLiteral(4) : 0;
        int uvdc = header.bit(128) == 1 ? header.signedLiteral(4) : 0;
        int uvac = header.bit(128) == 1 ? header.signedLiteral(4) : 0;
        for (int s = 0; s < 4; s++) {
            int q = useSegment ? segQuant[s] + (absoluteDelta ? 0 : base) : base;
            int[] m = dq[s];
            m[0] = Vp8Tables.DC_TABLE[clip(q + y1dc, 127)];
            m[1] = Vp8Tables.AC_TABLE[clip(q, 127)];
            m[2] = Vp8Tables.DC_TABLE[clip(q + y2dc, 127)] * 2;
            m[3] = Math.max(8, (Vp8Tables.AC_TABLE[clip(q + y2ac, 127)] * 101581) >> 16);
            m[4] = Vp8Tables.DC_TABLE[clip(q + uvdc, 117)];
            m[5] = Vp8Tables.AC_TABLE[clip(q + uvac, 127)];
        }
    }

    private static int clip(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }

    private void readProbabilities() {
        for (int i = 0; i < probs.length; i++) {
            probs[i] = header.bit(Vp8Tables.COEFF_UPDATE_PROBS[i]) == 1 ? header.literal(8) : Vp8Tables.COEFF_PROBS[i];
        }
        useSkipProb = header.bit(128) == 1;
        if (useSkipProb) {
            skipProb = header.literal(8);
        }
        if (header.overrun()) {
            throw truncated();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Macroblocks (RFC 6386 sections 11, 13, 14)

    private void decodeFrame() {
        yStride = mbw * 16;
        uvStride = mbw * 8;
        planeY = new byte[yStride * mbh * 16];
        planeU = new byte[uvStride * mbh * 8];
        planeV = new byte[uvStride * mbh * 8];
        intraTop = new int[mbw * 4];
        nzTop = new int[mbw * 9];
        topY = new byte[mbw * 16];
        topU = new byte[mbw * 8];
        topV = new byte[mbw * 8];
        fLimit = new int[mbw * mbh];
        fInner = new int[mbw * mbh];
        fIlevel = new int[mbw * mbh];
        fHev = new int[mbw * mbh];
        int[][] strengths = filterStrengths();
        int[] modes = new int[16];
        for (int mby = 0; mby < mbh; mby++) {
            WebpBoolDecoder tokens = parts[mby & (parts.length - 1)];
            Arrays.fill(intraLeft, B_DC);
            Arrays.fill(nzLeft, 0);
            startRow(mby);
            for (int mbx = 0; mbx < mbw; mbx++) {
                int segment = 0;
                if (updateMap) {
                    segment = header.bit(segProbs[0]) == 0 ? header.bit(segProbs[1]) : 2 + header.bit(segProbs[2]);
                }
                boolean skip = useSkipProb && header.bit(skipProb) == 1;
                boolean i4x4 = readModes(mbx, modes);
                int uvMode = header.bit(142) == 0 ? DC_PRED : header.bit(114) == 0 ? V_PRED : header.bit(183) == 1 ? TM_PRED : H_PRED;
                if (header.overrun()) {
                    throw truncated();
                }
                boolean anyCoefficient = false;
                Arrays.fill(coeffs, (short) 0);
                if (!skip) {
                    anyCoefficient = readResiduals(tokens, mbx, i4x4, dq[segment]);
                    if (tokens.overrun()) {
                        throw truncated();
                    }
                } else {
                    for (int i = 0; i < 8; i++) {
                        nzTop[mbx * 9 + i] = 0;
                        nzLeft[i] = 0;
                    }
                    if (!i4x4) {
                        nzTop[mbx * 9 + 8] = 0;
                        nzLeft[8] = 0;
                    }
                }
                reconstruct(mbx, mby, i4x4, modes, uvMode);
                int mb = mby * mbw + mbx;
                int[] s = strengths[segment * 2 + (i4x4 ? 1 : 0)];
                fLimit[mb] = s[0];
                fIlevel[mb] = s[1];
                fHev[mb] = s[2];
                fInner[mb] = i4x4 || anyCoefficient ? 1 : 0;
            }
        }
    }

    /** Reads the luma modes into {@code modes} (one per sub-block); returns whether the macroblock is split in 4×4. */
    private boolean readModes(int mbx, int[] modes) {
        boolean i4x4 = header.bit(145) == 0;
        if (!i4x4) {
            int ymode = header.bit(156) == 1 ? (header.bit(128) == 1 ? TM_PRED : H_PRED) : (header.bit(163) == 1 ? V_PRED : DC_PRED);
            Arrays.fill(modes, ymode);
            for (int i = 0; i < 4; i++) {
                intraTop[mbx * 4 + i] = ymode;
                intraLeft[i] = ymode;
            }
            return false;
        }
        for (int y = 0; y < 4; y++) {
            int ymode = intraLeft[y];
            for (int x = 0; x < 4; x++) {
                int base = (intraTop[mbx * 4 + x] * 10 + ymode) * 9;
                int i = BMODE_TREE[header.bit(Vp8Tables.BMODE_PROBS[base])];
                while (i > 0) {
                    i = BMODE_TREE[2 * i + header.bit(Vp8Tables.BMODE_PROBS[base + i])];
                }
                ymode = -i;
                intraTop[mbx * 4 + x] = ymode;
                modes[y * 4 + x] = ymode;
            }
            intraLeft[y] = ymode;
        }
        return true;
    }

    /**
     * Reads and dequantises the macroblock's coefficients into {@link #coeffs} (16 luma blocks, 4 U,
     * 4 V, 16 values each); returns whether any is non-zero.
     */
    private boolean readResiduals(WebpBoolDecoder br, int mbx, boolean i4x4, int[] q) {
        int top = mbx * 9;
        int first;
        int lumaType;
        if (!i4x4) {
            short[] dc = new short[16];
            int ctx = nzTop[top + 8] + nzLeft[8];
            int nz = coefficients(br, 1, ctx, q[2], q[3], 0, dc, 0);
            nzTop[top + 8] = nzLeft[8] = nz > 0 ? 1 : 0;
            inverseWalshHadamard(dc);
            first = 1;
            lumaType = 0;
        } else {
            first = 0;
            lumaType = 3;
        }
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int ctx = nzTop[top + x] + nzLeft[y];
                int nz = coefficients(br, lumaType, ctx, q[0], q[1], first, coeffs, (y * 4 + x) * 16);
                int flag = nz > first ? 1 : 0;
                nzTop[top + x] = flag;
                nzLeft[y] = flag;
            }
        }
        for (int plane = 0; plane < 2; plane++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    int t = top + 4 + plane * 2 + x;
                    int l = 4 + plane * 2 + y;
                    int ctx = nzTop[t] + nzLeft[l];
                    int nz = coefficients(br, 2, ctx, q[4], q[5], 0, coeffs, (16 + plane * 4 + y * 2 + x) * 16);
                    nzTop[t] = nzLeft[l] = nz > 0 ? 1 : 0;
                }
            }
        }
        for (short c : coeffs) {
            if (c != 0) {
                return true;
            }
        }
        return false;
    }

    /** The second-order transform of the luma DC values, into coefficient 0 of each luma block. */
    private void inverseWalshHadamard(short[] in) {
        int[] tmp = new int[16];
        for (int i = 0; i < 4; i++) {
            int a0 = in[i] + in[12 + i];
            int a1 = in[4 + i] + in[8 + i];
            int a2 = in[4 + i] - in[8 + i];
            int a3 = in[i] - in[12 + i];
            tmp[i] = a0 + a1;
            tmp[8 + i] = a0 - a1;
            tmp[4 + i] = a3 + a2;
            tmp[12 + i] = a3 - a2;
        }
        for (int i = 0; i < 4; i++) {
            int dc = tmp[i * 4] + 3;
            int a0 = dc + tmp[3 + i * 4];
            int a1 = tmp[1 + i * 4] + tmp[2 + i * 4];
            int a2 = tmp[1 + i * 4] - tmp[2 + i * 4];
            int a3 = dc - tmp[3 + i * 4];
            coeffs[(i * 4) * 16] = (short) ((a0 + a1) >> 3);
            coeffs[(i * 4 + 1) * 16] = (short) ((a3 + a2) >> 3);
            coeffs[(i * 4 + 2) * 16] = (short) ((a0 - a1) >> 3);
            coeffs[(i * 4 + 3) * 16] = (short) ((a3 - a2) >> 3);
        }
    }

    /**
     * One block's tokens from position {@code n}, dequantised into {@code out[off..off+16)} in raster
     * order; returns the position after the last token read (0 when the block is empty).
     */
    private int coefficients(WebpBoolDecoder br, int type, int ctx, int dcq, int acq, int n, short[] out, int off) {
        int p = probIndex(type, n, ctx);
        for (; n < 16; n++) {
            if (br.bit(probs[p]) == 0) {
                return n; // end of block
            }
            while (br.bit(probs[p + 1]) == 0) { // a run of zeros
                if (++n == 16) {
                    return 16;
                }
                p = probIndex(type, n, 0);
            }
            int v;
            if (br.bit(probs[p + 2]) == 0) {
                v = 1;
                p = probIndex(type, n + 1, 1);
            } else {
                v = largeValue(br, p);
                p = probIndex(type, n + 1, 2);
            }
            if (br.bit(128) == 1) {
                v = -v;
            }
            out[off + ZIGZAG[n]] = (short) (v * (n > 0 ? acq : dcq));
        }
        return 16;
    }

    private static int probIndex(int type, int n, int ctx) {
        return ((type * 8 + BANDS[n]) * 3 + ctx) * 11;
    }

    /** A token of 2 or more: the token tree below node 3, then a category's extra bits. */
    private int largeValue(WebpBoolDecoder br, int p) {
        if (br.bit(probs[p + 3]) == 0) {
            return br.bit(probs[p + 4]) == 0 ? 2 : 3 + br.bit(probs[p + 5]);
        }
        if (br.bit(probs[p + 6]) == 0) {
            if (br.bit(probs[p + 7]) == 0) {
                return 5 + br.bit(159);
            }
            int v = 7 + 2 * br.bit(165);
            return v + br.bit(145);
        }
        int bit1 = br.bit(probs[p + 8]);
        int bit0 = br.bit(probs[p + 9 + bit1]);
        int cat = 2 * bit1 + bit0;
        int v = 0;
        for (int prob : CAT_PROBS[cat]) {
            v = 2 * v + br.bit(prob);
        }
        return v + 3 + (8 << cat);
    }

    // ------------------------------------------------------------------------------------------------
    // Prediction and reconstruction (libwebp's edge rules)

    /** At a row's start: the left border is 129, and above the first row everything is 127. */
    private void startRow(int mby) {
        for (int j = 0; j < 16; j++) {
            yb[ORIGIN + j * BPS - 1] = (byte) 129;
        }
        for (int j = 0; j < 8; j++) {
            ub[ORIGIN + j * BPS - 1] = (byte) 129;
            vb[ORIGIN + j * BPS - 1] = (byte) 129;
        }
        if (mby > 0) {
            yb[ORIGIN - BPS - 1] = ub[ORIGIN - BPS - 1] = vb[ORIGIN - BPS - 1] = (byte) 129;
        } else {
            Arrays.fill(yb, ORIGIN - BPS - 1, ORIGIN - BPS + 20, (byte) 127);
            Arrays.fill(ub, ORIGIN - BPS - 1, ORIGIN - BPS + 8, (byte) 127);
            Arrays.fill(vb, ORIGIN - BPS - 1, ORIGIN - BPS + 8, (byte) 127);
        }
    }

    private void reconstruct(int mbx, int mby, boolean i4x4, int[] modes, int uvMode) {
        if (mbx > 0) {
            // The previous macroblock's right columns become this one's left border.
            for (int j = -1; j < 16; j++) {
                System.arraycopy(yb, ORIGIN + j * BPS + 12, yb, ORIGIN + j * BPS - 4, 4);
            }
            for (int j = -1; j < 8; j++) {
                System.arraycopy(ub, ORIGIN + j * BPS + 4, ub, ORIGIN + j * BPS - 4, 4);
                System.arraycopy(vb, ORIGIN + j * BPS + 4, vb, ORIGIN + j * BPS - 4, 4);
            }
        }
        if (mby > 0) {
            System.arraycopy(topY, mbx * 16, yb, ORIGIN - BPS, 16);
            System.arraycopy(topU, mbx * 8, ub, ORIGIN - BPS, 8);
            System.arraycopy(topV, mbx * 8, vb, ORIGIN - BPS, 8);
        }
        if (i4x4) {
            int tr = ORIGIN - BPS + 16;
            if (mby > 0) {
                if (mbx >= mbw - 1) {
                    Arrays.fill(yb, tr, tr + 4, topY[mbx * 16 + 15]);
                } else {
                    System.arraycopy(topY, (mbx + 1) * 16, yb, tr, 4);
                }
            }
            // Sub-blocks on the right edge take the macroblock's above-right samples at every row.
            for (int k = 1; k < 4; k++) {
                System.arraycopy(yb, tr, yb, tr + 4 * k * BPS, 4);
            }
            for (int n = 0; n < 16; n++) {
                int at = ORIGIN + (n >> 2) * 4 * BPS + (n & 3) * 4;
                predictLuma4(modes[n], at);
                inverseTransform(n * 16, yb, at);
            }
        } else {
            predict(yb, ORIGIN, 16, checkDc(modes[0], mbx, mby));
            for (int n = 0; n < 16; n++) {
                inverseTransform(n * 16, yb, ORIGIN + (n >> 2) * 4 * BPS + (n & 3) * 4);
            }
        }
        int uvPred = checkDc(uvMode, mbx, mby);
        predict(ub, ORIGIN, 8, uvPred);
        predict(vb, ORIGIN, 8, uvPred);
        for (int n = 0; n < 4; n++) {
            int at = ORIGIN + (n >> 1) * 4 * BPS + (n & 1) * 4;
            inverseTransform((16 + n) * 16, ub, at);
            inverseTransform((20 + n) * 16, vb, at);
        }
        System.arraycopy(yb, ORIGIN + 15 * BPS, topY, mbx * 16, 16);
        System.arraycopy(ub, ORIGIN + 7 * BPS, topU, mbx * 8, 8);
        System.arraycopy(vb, ORIGIN + 7 * BPS, topV, mbx * 8, 8);
        for (int j = 0; j < 16; j++) {
            System.arraycopy(yb, ORIGIN + j * BPS, planeY, (mby * 16 + j) * yStride + mbx * 16, 16);
        }
        for (int j = 0; j < 8; j++) {
            System.arraycopy(ub, ORIGIN + j * BPS, planeU, (mby * 8 + j) * uvStride + mbx * 8, 8);
            System.arraycopy(vb, ORIGIN + j * BPS, planeV, (mby * 8 + j) * uvStride + mbx * 8, 8);
        }
    }

    /** DC prediction without the samples that lie outside the image: codes 4 (no top), 5 (no left), 6 (neither). */
    private static int checkDc(int mode, int mbx, int mby) {
        if (mode != DC_PRED) {
            return mode;
        }
        if (mbx == 0) {
            return mby == 0 ? 6 : 5;
        }
        return mby == 0 ? 4 : DC_PRED;
    }

    /** 16×16 luma or 8×8 chroma prediction at {@code at} of {@code b}. */
    private static void predict(byte[] b, int at, int size, int mode) {
        int shift = size == 16 ? 4 : 3;
        switch (mode) {
            case TM_PRED -> trueMotion(b, at, size);
            case V_PRED -> {
                for (int j = 0; j < size; j++) {
                    System.arraycopy(b, at - BPS, b, at + j * BPS, size);
                }
            }
            case H_PRED -> {
                for (int j = 0; j < size; j++) {
                    Arrays.fill(b, at + j * BPS, at + j * BPS + size, b[at + j * BPS - 1]);
                }
            }
            default -> {
                int dc;
                if (mode == DC_PRED) {
                    int sum = size;
                    for (int j = 0; j < size; j++) {
                        sum += u(b, at + j * BPS - 1) + u(b, at - BPS + j);
                    }
                    dc = sum >> (shift + 1);
                } else if (mode == 4) { // no top: the left column only
                    int sum = size >> 1;
                    for (int j = 0; j < size; j++) {
                        sum += u(b, at + j * BPS - 1);
                    }
                    dc = sum >> shift;
                } else if (mode == 5) { // no left: the row above only
                    int sum = size >> 1;
                    for (int j = 0; j < size; j++) {
                        sum += u(b, at - BPS + j);
                    }
                    dc = sum >> shift;
                } else {
                    dc = 0x80;
                }
                for (int j = 0; j < size; j++) {
                    Arrays.fill(b, at + j * BPS, at + j * BPS + size, (byte) dc);
                }
            }
        }
    }

    private static void trueMotion(byte[] b, int at, int size) {
        int topLeft = u(b, at - BPS - 1);
        for (int y = 0; y < size; y++) {
            int left = u(b, at + y * BPS - 1);
            for (int x = 0; x < size; x++) {
                b[at + y * BPS + x] = (byte) clip255(u(b, at - BPS + x) + left - topLeft);
            }
        }
    }

    private static int u(byte[] b, int i) {
        return b[i] & 0xff;
    }

    private static int avg3(int a, int b, int c) {
        return (a + 2 * b + c + 2) >> 2;
    }

    private static int avg2(int a, int b) {
        return (a + b + 1) >> 1;
    }

    private void set(int at, int x, int y, int v) {
        yb[at + x + y * BPS] = (byte) v;
    }

    /** The ten 4×4 luma predictions, each from the row above (and above-right) and the column to the left. */
    private void predictLuma4(int mode, int at) {
        byte[] b = yb;
        int top = at - BPS;
        int x0 = u(b, top - 1), a = u(b, top), bb = u(b, top + 1), c = u(b, top + 2), d = u(b, top + 3);
        int e = u(b, top + 4), f = u(b, top + 5), g = u(b, top + 6), h = u(b, top + 7);
        int i0 = u(b, at - 1), j0 = u(b, at + BPS - 1), k0 = u(b, at + 2 * BPS - 1), l0 = u(b, at + 3 * BPS - 1);
        switch (mode) {
            case B_DC -> {
                int dc = (a + bb + c + d + i0 + j0 + k0 + l0 + 4) >> 3;
                fill4(at, dc);
            }
            case B_TM -> trueMotion(b, at, 4);
            case B_VE -> {
                int[] v = {avg3(x0, a, bb), avg3(a, bb, c), avg3(bb, c, d), avg3(c, d, e)};
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        set(at, x, y, v[x]);
                    }
                }
            }
            case B_HE -> {
                int[] v = {avg3(x0, i0, j0), avg3(i0, j0, k0), avg3(j0, k0, l0), avg3(k0, l0, l0)};
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        set(at, x, y, v[y]);
                    }
                }
            }
            case B_RD -> {
                set(at, 0, 3, avg3(j0, k0, l0));
                int ijk = avg3(i0, j0, k0);
                set(at, 1, 3, ijk); set(at, 0, 2, ijk);
                int xij = avg3(x0, i0, j0);
                set(at, 2, 3, xij); set(at, 1, 2, xij); set(at, 0, 1, xij);
                int axi = avg3(a, x0, i0);
                set(at, 3, 3, axi); set(at, 2, 2, axi); set(at, 1, 1, axi); set(at, 0, 0, axi);
                int bax = avg3(bb, a, x0);
                set(at, 3, 2, bax); set(at, 2, 1, bax); set(at, 1, 0, bax);
                int cba = avg3(c, bb, a);
                set(at, 3, 1, cba); set(at, 2, 0, cba);
                set(at, 3, 0, avg3(d, c, bb));
            }
            case B_LD -> {
                set(at, 0, 0, avg3(a, bb, c));
                int bcd = avg3(bb, c, d);
                set(at, 1, 0, bcd); set(at, 0, 1, bcd);
                int cde = avg3(c, d, e);
                set(at, 2, 0, cde); set(at, 1, 1, cde); set(at, 0, 2, cde);
                int def = avg3(d, e, f);
                set(at, 3, 0, def); set(at, 2, 1, def); set(at, 1, 2, def); set(at, 0, 3, def);
                int efg = avg3(e, f, g);
                set(at, 3, 1, efg); set(at, 2, 2, efg); set(at, 1, 3, efg);
                int fgh = avg3(f, g, h);
                set(at, 3, 2, fgh); set(at, 2, 3, fgh);
                set(at, 3, 3, avg3(g, h, h));
            }
            case B_VR -> {
                set(at, 0, 0, avg2(x0, a)); set(at, 1, 2, avg2(x0, a));
                set(at, 1, 0, avg2(a, bb)); set(at, 2, 2, avg2(a, bb));
                set(at, 2, 0, avg2(bb, c)); set(at, 3, 2, avg2(bb, c));
                set(at, 3, 0, avg2(c, d));
                set(at, 0, 3, avg3(k0, j0, i0));
                set(at, 0, 2, avg3(j0, i0, x0));
                set(at, 0, 1, avg3(i0, x0, a)); set(at, 1, 3, avg3(i0, x0, a));
                set(at, 1, 1, avg3(x0, a, bb)); set(at, 2, 3, avg3(x0, a, bb));
                set(at, 2, 1, avg3(a, bb, c)); set(at, 3, 3, avg3(a, bb, c));
                set(at, 3, 1, avg3(bb, c, d));
            }
            case B_VL -> {
                set(at, 0, 0, avg2(a, bb));
                set(at, 1, 0, avg2(bb, c)); set(at, 0, 2, avg2(bb, c));
                set(at, 2, 0, avg2(c, d)); set(at, 1, 2, avg2(c, d));
                set(at, 3, 0, avg2(d, e)); set(at, 2, 2, avg2(d, e));
                set(at, 0, 1, avg3(a, bb, c));
                set(at, 1, 1, avg3(bb, c, d)); set(at, 0, 3, avg3(bb, c, d));
                set(at, 2, 1, avg3(c, d, e)); set(at, 1, 3, avg3(c, d, e));
                set(at, 3, 1, avg3(d, e, f)); set(at, 2, 3, avg3(d, e, f));
                set(at, 3, 2, avg3(e, f, g));
                set(at, 3, 3, avg3(f, g, h));
            }
            case B_HU -> {
                set(at, 0, 0, avg2(i0, j0));
                set(at, 2, 0, avg2(j0, k0)); set(at, 0, 1, avg2(j0, k0));
                set(at, 2, 1, avg2(k0, l0)); set(at, 0, 2, avg2(k0, l0));
                set(at, 1, 0, avg3(i0, j0, k0));
                set(at, 3, 0, avg3(j0, k0, l0)); set(at, 1, 1, avg3(j0, k0, l0));
                set(at, 3, 1, avg3(k0, l0, l0)); set(at, 1, 2, avg3(k0, l0, l0));
                set(at, 3, 2, l0); set(at, 2, 2, l0); set(at, 0, 3, l0); set(at, 1, 3, l0); set(at, 2, 3, l0); set(at, 3, 3, l0);
            }
            case B_HD -> {
                set(at, 0, 0, avg2(i0, x0)); set(at, 2, 1, avg2(i0, x0));
                set(at, 0, 1, avg2(j0, i0)); set(at, 2, 2, avg2(j0, i0));
                set(at, 0, 2, avg2(k0, j0)); set(at, 2, 3, avg2(k0, j0));
                set(at, 0, 3, avg2(l0, k0));
                set(at, 3, 0, avg3(a, bb, c));
                set(at, 2, 0, avg3(x0, a, bb));
                set(at, 1, 0, avg3(i0, x0, a)); set(at, 3, 1, avg3(i0, x0, a));
                set(at, 1, 1, avg3(j0, i0, x0)); set(at, 3, 2, avg3(j0, i0, x0));
                set(at, 1, 2, avg3(k0, j0, i0)); set(at, 3, 3, avg3(k0, j0, i0));
                set(at, 1, 3, avg3(l0, k0, j0));
            }
            default -> throw new IllegalStateException("sub-block mode " + mode);
        }
    }

    private void fill4(int at, int v) {
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                set(at, x, y, v);
            }
        }
    }

    private static int mul1(int a) {
        return ((a * 20091) >> 16) + a;
    }

    private static int mul2(int a) {
        return (a * 35468) >> 16;
    }

    /** The inverse DCT of one block's coefficients, added to the prediction at {@code at} of {@code dst}. */
    private void inverseTransform(int in, byte[] dst, int at) {
        boolean any = false;
        for (int i = 0; i < 16 && !any; i++) {
            any = coeffs[in + i] != 0;
        }
        if (!any) {
            return;
        }
        int[] tmp = new int[16];
        for (int i = 0; i < 4; i++) { // vertical pass
            int a = coeffs[in + i] + coeffs[in + 8 + i];
            int b = coeffs[in + i] - coeffs[in + 8 + i];
            int c = mul2(coeffs[in + 4 + i]) - mul1(coeffs[in + 12 + i]);
            int d = mul1(coeffs[in + 4 + i]) + mul2(coeffs[in + 12 + i]);
            tmp[i * 4] = a + d;
            tmp[i * 4 + 1] = b + c;
            tmp[i * 4 + 2] = b - c;
            tmp[i * 4 + 3] = a - d;
        }
        for (int i = 0; i < 4; i++) { // horizontal pass, one output row each
            int dc = tmp[i] + 4;
            int a = dc + tmp[8 + i];
            int b = dc - tmp[8 + i];
            int c = mul2(tmp[4 + i]) - mul1(tmp[12 + i]);
            int d = mul1(tmp[4 + i]) + mul2(tmp[12 + i]);
            int row = at + i * BPS;
            dst[row] = (byte) clip255(u(dst, row) + ((a + d) >> 3));
            dst[row + 1] = (byte) clip255(u(dst, row + 1) + ((b + c) >> 3));
            dst[row + 2] = (byte) clip255(u(dst, row + 2) + ((b - c) >> 3));
            dst[row + 3] = (byte) clip255(u(dst, row + 3) + ((a - d) >> 3));
        }
    }

    private static int clip255(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    // ------------------------------------------------------------------------------------------------
    // Loop filter (RFC 6386 section 15, as libwebp computes its strengths)

    /** For each segment × {16×16, 4×4}: limit, interior limit, high-edge-variance threshold. */
    private int[][] filterStrengths() {
        int[][] out = new int[8][3];
        for (int s = 0; s < 4; s++) {
            int base = useSegment ? segFilter[s] + (absoluteDelta ? 0 : filterLevel) : filterLevel;
            for (int i4x4 = 0; i4x4 <= 1; i4x4++) {
                int level = base;
                if (useLfDelta) {
                    level += refLfDelta[0];
                    if (i4x4 == 1) {
                        level += modeLfDelta[0];
                    }
                }
                level = Math.max(0, Math.min(63, level));
                int[] f = out[s * 2 + i4x4];
                if (level > 0) {
                    int ilevel = level;
                    if (sharpness > 0) {
                        ilevel >>= sharpness > 4 ? 2 : 1;
                        ilevel = Math.min(ilevel, 9 - sharpness);
                    }
                    ilevel = Math.max(ilevel, 1);
                    f[0] = 2 * level + ilevel;
                    f[1] = ilevel;
                    f[2] = level >= 40 ? 2 : level >= 15 ? 1 : 0;
                }
            }
        }
        return out;
    }

    private void loopFilter() {
        if (filterLevel == 0) {
            return; // libwebp filters nothing when the frame's level is 0, whatever the segments say
        }
        for (int mby = 0; mby < mbh; mby++) {
            for (int mbx = 0; mbx < mbw; mbx++) {
                int mb = mby * mbw + mbx;
                int limit = fLimit[mb];
                if (limit == 0) {
                    continue;
                }
                int y0 = mby * 16 * yStride + mbx * 16;
                boolean inner = fInner[mb] == 1;
                if (simpleFilter) {
                    if (mbx > 0) {
                        simpleEdge(y0, 1, yStride, limit + 4);
                    }
                    if (inner) {
                        for (int k = 1; k < 4; k++) {
                            simpleEdge(y0 + 4 * k, 1, yStride, limit);
                        }
                    }
                    if (mby > 0) {
                        simpleEdge(y0, yStride, 1, limit + 4);
                    }
                    if (inner) {
                        for (int k = 1; k < 4; k++) {
                            simpleEdge(y0 + 4 * k * yStride, yStride, 1, limit);
                        }
                    }
                    continue;
                }
                int uv0 = mby * 8 * uvStride + mbx * 8;
                int il = fIlevel[mb], hev = fHev[mb];
                if (mbx > 0) {
                    edge(planeY, y0, 1, yStride, 16, limit + 4, il, hev, true);
                    edge(planeU, uv0, 1, uvStride, 8, limit + 4, il, hev, true);
                    edge(planeV, uv0, 1, uvStride, 8, limit + 4, il, hev, true);
                }
                if (inner) {
                    for (int k = 1; k < 4; k++) {
                        edge(planeY, y0 + 4 * k, 1, yStride, 16, limit, il, hev, false);
                    }
                    edge(planeU, uv0 + 4, 1, uvStride, 8, limit, il, hev, false);
                    edge(planeV, uv0 + 4, 1, uvStride, 8, limit, il, hev, false);
                }
                if (mby > 0) {
                    edge(planeY, y0, yStride, 1, 16, limit + 4, il, hev, true);
                    edge(planeU, uv0, uvStride, 1, 8, limit + 4, il, hev, true);
                    edge(planeV, uv0, uvStride, 1, 8, limit + 4, il, hev, true);
                }
                if (inner) {
                    for (int k = 1; k < 4; k++) {
                        edge(planeY, y0 + 4 * k * yStride, yStride, 1, 16, limit, il, hev, false);
                    }
                    edge(planeU, uv0 + 4 * uvStride, uvStride, 1, 8, limit, il, hev, false);
                    edge(planeV, uv0 + 4 * uvStride, uvStride, 1, 8, limit, il, hev, false);
                }
            }
        }
    }

    /**
     * The simple filter across one 16-pixel luma edge: {@code step} crosses the edge, {@code along}
     * moves along it.
     */
    private void simpleEdge(int p, int step, int along, int thresh) {
        int t = 2 * thresh + 1;
        for (int i = 0; i < 16; i++, p += along) {
            byte[] b = planeY;
            int p1 = u(b, p - 2 * step), p0 = u(b, p - step), q0 = u(b, p), q1 = u(b, p + step);
            if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) <= t) {
                filter2(b, p, step);
            }
        }
    }

    /** The normal filter across one edge: 6 taps on macroblock edges, 4 on inner ones. */
    private static void edge(byte[] b, int p, int step, int along, int size, int thresh, int ithresh, int hevThresh,
                             boolean macroblockEdge) {
        int t = 2 * thresh + 1;
        for (int i = 0; i < size; i++, p += along) {
            int p3 = u(b, p - 4 * step), p2 = u(b, p - 3 * step), p1 = u(b, p - 2 * step), p0 = u(b, p - step);
            int q0 = u(b, p), q1 = u(b, p + step), q2 = u(b, p + 2 * step), q3 = u(b, p + 3 * step);
            if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) > t) {
                continue;
            }
            if (Math.abs(p3 - p2) > ithresh || Math.abs(p2 - p1) > ithresh || Math.abs(p1 - p0) > ithresh
                    || Math.abs(q3 - q2) > ithresh || Math.abs(q2 - q1) > ithresh || Math.abs(q1 - q0) > ithresh) {
                continue;
            }
            if (Math.abs(p1 - p0) > hevThresh || Math.abs(q1 - q0) > hevThresh) {
                filter2(b, p, step);
            } else if (macroblockEdge) {
                int a = sclip1(3 * (q0 - p0) + sclip1(p1 - q1));
                int a1 = (27 * a + 63) >> 7;
                int a2 = (18 * a + 63) >> 7;
                int a3 = (9 * a + 63) >> 7;
                b[p - 3 * step] = (byte) clip255(p2 + a3);
                b[p - 2 * step] = (byte) clip255(p1 + a2);
                b[p - step] = (byte) clip255(p0 + a1);
                b[p] = (byte) clip255(q0 - a1);
                b[p + step] = (byte) clip255(q1 - a2);
                b[p + 2 * step] = (byte) clip255(q2 - a3);
            } else {
                int a = 3 * (q0 - p0);
                int a1 = sclip2((a + 4) >> 3);
                int a2 = sclip2((a + 3) >> 3);
                int a3 = (a1 + 1) >> 1;
                b[p - 2 * step] = (byte) clip255(p1 + a3);
                b[p - step] = (byte) clip255(p0 + a2);
                b[p] = (byte) clip255(q0 - a1);
                b[p + step] = (byte) clip255(q1 - a3);
            }
        }
    }

    /** Adjusts the two pixels next to the edge. */
    private static void filter2(byte[] b, int p, int step) {
        int p1 = u(b, p - 2 * step), p0 = u(b, p - step), q0 = u(b, p), q1 = u(b, p + step);
        int a = 3 * (q0 - p0) + sclip1(p1 - q1);
        int a1 = sclip2((a + 4) >> 3);
        int a2 = sclip2((a + 3) >> 3);
        b[p - step] = (byte) clip255(p0 + a2);
        b[p] = (byte) clip255(q0 - a1);
    }

    private static int sclip1(int v) {
        return v < -128 ? -128 : Math.min(v, 127);
    }

    private static int sclip2(int v) {
        return v < -16 ? -16 : Math.min(v, 15);
    }
}
