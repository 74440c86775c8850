package dev.jclip.core.image;

/**
 * libwebp's conversion of decoded VP8 planes to RGB, which is what Pillow shows: "fancy" chroma
 * upsampling (each output pixel mixes the four nearest chroma samples 9:3:3:1, the first and last rows
 * and columns mirrored) and its 14-bit fixed-point BT.601 YUV → RGB. Plain nearest-neighbour chroma,
 * as some Java decoders do, is several levels off at every edge.
 */
final class WebpYuv {
    private WebpYuv() {
    }

    static RgbImage toRgb(WebpLossy.Planes p) {
        int w = p.width(), h = p.height();
        byte[] rgb = new byte[w * h * 3];
        // Row 0 from chroma row 0 alone, then pairs of rows (2k−1, 2k) between chroma rows k−1 and k,
        // then, for an even height, the last row from the last chroma row alone.
        upsampleRows(p, 0, -1, 0, 0, rgb);
        int y = 0;
        for (; y + 2 < h; y += 2) {
            upsampleRows(p, y + 1, y + 2, y / 2, y / 2 + 1, rgb);
        }
        if ((h & 1) == 0) {
            upsampleRows(p, h - 1, -1, (h - 1) / 2, (h - 1) / 2, rgb);
        }
        return new RgbImage(w, h, rgb);
    }

    /**
     * Output rows {@code top} and {@code bottom} (−1: none) between chroma rows {@code topUv} (nearer
     * {@code top}) and {@code bottomUv}.
     */
    private static void upsampleRows(WebpLossy.Planes p, int top, int bottom, int topUv, int bottomUv, byte[] rgb) {
        int w = p.width();
        int tu = topUv * p.uvStride(), bu = bottomUv * p.uvStride();
        byte[] u = p.u(), v = p.v();
        int tlU = u[tu] & 0xff, tlV = v[tu] & 0xff, lU = u[bu] & 0xff, lV = v[bu] & 0xff;
        put(p, top, 0, (3 * tlU + lU + 2) >> 2, (3 * tlV + lV + 2) >> 2, rgb);
        if (bottom >= 0) {
            put(p, bottom, 0, (3 * lU + tlU + 2) >> 2, (3 * lV + tlV + 2) >> 2, rgb);
        }
        int lastPair = (w - 1) >> 1;
        for (int x = 1; x <= lastPair; x++) {
            int tU = u[tu + x] & 0xff, tV = v[tu + x] & 0xff, cU = u[bu + x] & 0xff, cV = v[bu + x] & 0xff;
            int avgU = tlU + tU + lU + cU + 8, avgV = tlV + tV + lV + cV + 8;
            int diag12U = (avgU + 2 * (tU + lU)) >> 3, diag12V = (avgV + 2 * (tV + lV)) >> 3;
            int diag03U = (avgU + 2 * (tlU + cU)) >> 3, diag03V = (avgV + 2 * (tlV + cV)) >> 3;
            put(p, top, 2 * x - 1, (diag12U + tlU) >> 1, (diag12V + tlV) >> 1, rgb);
            put(p, top, 2 * x, (diag03U + tU) >> 1, (diag03V + tV) >> 1, rgb);
            if (bottom >= 0) {
                put(p, bottom, 2 * x - 1, (diag03U + lU) >> 1, (diag03V + lV) >> 1, rgb);
                put(p, bottom, 2 * x, (diag12U + cU) >> 1, (diag12V + cV) >> 1, rgb);
            }
            tlU = tU;
            tlV = tV;
            lU = cU;
            lV = cV;
        }
        if ((w & 1) == 0) {
            put(p, top, w - 1, (3 * tlU + lU + 2) >> 2, (3 * tlV + lV + 2) >> 2, rgb);
            if (bottom >= 0) {
                put(p, bottom, w - 1, (3 * lU + tlU + 2) >> 2, (3 * lV + tlV + 2) >> 2, rgb);
            }
        }
    }

    private static void put(WebpLossy.Planes p, int row, int x, int u, int v, byte[] rgb) {
        int y = p.y()[row * p.yStride() + x] & 0xff;
        int o = (row * p.width() + x) * 3;
        rgb[o] = (byte) clip8(mulHi(y, 19077) + mulHi(v, 26149) - 14234);
        rgb[o + 1] = (byte) clip8(mulHi(y, 19077) - mulHi(u, 6419) - mulHi(v, 13320) + 8708);
        rgb[o + 2] = (byte) clip8(mulHi(y, 19077) + mulHi(u, 33050) - 17685);
    }

    private static int mulHi(int v, int coeff) {
        return (v * coeff) >> 8;
    }

    /** A value with 6 fractional bits to 0..255. */
    private static int clip8(int v) {
        return (v & ~16383) == 0 ? v >> 6 : v < 0 ? 0 : 255;
    }
}
