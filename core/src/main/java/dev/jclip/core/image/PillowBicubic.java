package dev.jclip.core.image;

/**
 * Pillow's {@code Image.resize(size, Image.BICUBIC)} on 8-bit images, bit-exact.
 *
 * <p>Pillow's convolution resampler ({@code libImaging/Resample.c}) filters each axis separately, the
 * horizontal pass first, with a cubic kernel (a = −0.5) whose support widens by the scale factor when
 * downscaling, so it antialiases. Each pass rounds its double-precision weights to fixed point with
 * 22 fractional bits, accumulates integers, and clamps to 8 bits: the intermediate image is 8-bit.
 * Reproducing those roundings is what makes the output identical, not merely close.
 */
public final class PillowBicubic {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PillowBicubic() {
    }

    /** Resizes {@code src} to {@code width}×{@code height}. */
    public static RgbImage resize(RgbImage src, int width, int height) {
        return resizeWindow(src, width, height, 0, 0, width, height);
    }

    /**
     * The pixels {@code [x0, x0 + w) × [y0, y0 + h)} of {@code src} resized to {@code width}×{@code height},
     * computing only those. Each output pixel depends only on its own row's and column's filter
     * coefficients, so the window is bit-identical to the same pixels of the full resize; the full
     * resize of a 1×9000 image to 224 wide would be 224 × 2,016,000 pixels, its centre crop 224 × 224.
     */
    public static RgbImage resizeWindow(RgbImage src, long width, long height, long x0, long y0, int w, int h) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size " + width + "x" + height + " must be positive");
        }
        if (w <= 0 || h <= 0 || x0 < 0 || y0 < 0 || x0 + w > width || y0 + h > height) {
            throw new IllegalArgumentException("window " + w + "x" + h + " at (" + x0 + ", " + y0 + ") is not inside "
                    + width + "x" + height);
        }
        RgbImage img = src;
        // As Pillow: a pass runs only for an axis whose size changes; the other axis is just cut.
        if (height != img.height()) {
            Coefficients vertical = new Coefficients(img.height(), height, y0, h);
            if (width != img.width()) {
                // Only the input rows the vertical filters read need the horizontal pass.
                int first = vertical.first[0];
                int last = vertical.first[h - 1] + vertical.count[h - 1];
                img = horizontal(img, first, last - first, new Coefficients(img.width(), width, x0, w));
                vertical.shift(first);
            } else {
                img = cut(img, (int) x0, 0, w, img.height());
            }
            return vertical(img, vertical);
        }
        if (width != img.width()) {
            return horizontal(img, (int) y0, h, new Coefficients(img.width(), width, x0, w));
        }
        return cut(img, (int) x0, (int) y0, w, h);
    }

    private static RgbImage cut(RgbImage in, int x0, int y0, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(in.rgb(), ((y0 + y) * in.width() + x0) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** The cubic convolution kernel with a = −0.5 (Keys), as Pillow defines it. */
    static double bicubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** For each output index of a window: the first input index, how many inputs, and their fixed-point weights. */
    static final class Coefficients {
        final int ksize;
        final int[] first;
        final int[] count;
        final int[] weights; // [out][ksize], fixed point with PRECISION_BITS fractional bits

        /** The filters of outputs {@code [from, from + n)} of a resize from {@code inSize} to {@code outSize}. */
        Coefficients(int inSize, long outSize, long from, int n) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            ksize = (int) Math.ceil(support) * 2 + 1;
            first = new int[n];
            count = new int[n];
            weights = new int[n * ksize];
            double[] k = new double[ksize];
            for (int i = 0; i < n; i++) {
                long xx = from + i;
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                // (int) truncates toward zero, as the C cast does; the clamp then handles the left edge.
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = bicubic((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    // Round half away from zero, as Pillow's normalize_coeffs_8bpc does.
                    weights[i * ksize + x] = w < 0
                            ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[i] = xmin;
                count[i] = xmax;
            }
        }

        /** Re-bases the input indices when the input starts at {@code offset} of the original. */
        void shift(int offset) {
            for (int i = 0; i < first.length; i++) {
                first[i] -= offset;
            }
        }
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** The horizontal pass over input rows {@code [y0, y0 + rows)}, for the window's columns. */
    private static RgbImage horizontal(RgbImage in, int y0, int rows, Coefficients c) {
        int outWidth = c.first.length;
        byte[] src = in.rgb();
        byte[] dst = new byte[outWidth * rows * 3];
        for (int y = 0; y < rows; y++) {
            int row = (y0 + y) * in.width() * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int r = 1 << (PRECISION_BITS - 1), g = r, b = r;
                int k = xx * c.ksize;
                int p = row + c.first[xx] * 3;
                for (int x = 0; x < c.count[xx]; x++, p += 3) {
                    int w = c.weights[k + x];
                    r += (src[p] & 0xff) * w;
                    g += (src[p + 1] & 0xff) * w;
                    b += (src[p + 2] & 0xff) * w;
                }
                int o = (y * outWidth + xx) * 3;
                dst[o] = (byte) clip8(r);
                dst[o + 1] = (byte) clip8(g);
                dst[o + 2] = (byte) clip8(b);
            }
        }
        return new RgbImage(outWidth, rows, dst);
    }

    private static RgbImage vertical(RgbImage in, Coefficients c) {
        int outHeight = c.first.length;
        int w = in.width();
        int stride = w * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[w * outHeight * 3];
        for (int yy = 0; yy < outHeight; yy++) {
            int k = yy * c.ksize;
            for (int x = 0; x < w; x++) {
                int r = 1 << (PRECISION_BITS - 1), g = r, b = r;
                int p = c.first[yy] * stride + x * 3;
                for (int y = 0; y < c.count[yy]; y++, p += stride) {
                    int wt = c.weights[k + y];
                    r += (src[p] & 0xff) * wt;
                    g += (src[p + 1] & 0xff) * wt;
                    b += (src[p + 2] & 0xff) * wt;
                }
                int o = (yy * w + x) * 3;
                dst[o] = (byte) clip8(r);
                dst[o + 1] = (byte) clip8(g);
                dst[o + 2] = (byte) clip8(b);
            }
        }
        return new RgbImage(w, outHeight, dst);
    }
}
