package dev.jclip.core.image;

/**
 * Pillow's {@code convert("RGB")} from CMYK ({@code libImaging/Convert.c} cmyk2rgb): no colour
 * management, each channel {@code (255 − K) − C·(255 − K)/255} in 8-bit integer arithmetic, with
 * Pillow's rounded division by 255.
 */
final class CmykToRgb {
    private CmykToRgb() {
    }

    /** Writes the RGB of one CMYK pixel (0 = no ink) to {@code rgb[o..o+2]}. */
    static void convert(int c, int m, int y, int k, byte[] rgb, int o) {
        int nk = 255 - k;
        rgb[o] = (byte) clip8(nk - mulDiv255(c, nk));
        rgb[o + 1] = (byte) clip8(nk - mulDiv255(m, nk));
        rgb[o + 2] = (byte) clip8(nk - mulDiv255(y, nk));
    }

    /** a·b/255 rounded, as Pillow's MULDIV255 macro computes it. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
