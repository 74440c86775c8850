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
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size " + width + "x" + height + " must be positive");
        }
        RgbImage img = src;
        if (width != img.width()) {
            img = horizontal(img, width, new Coefficients(img.width(), width));
        }
        if (height != img.height()) {
            img = vertical(img, height, new Coefficients(img.height(), height));
        }
        return img == src ? new RgbImage(src.width(), src.height(), src.rgb().clone()) : img;
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

    /** For each output index: the first input index, how many inputs, and their fixed-point weights. */
    static final class Coefficients {
        final int ksize;
        final int[] first;
        final int[] count;
        final int[] weights; // [out][ksize], fixed point with PRECISION_BITS fractional bits

        Coefficients(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            ksize = (int) Math.ceil(support) * 2 + 1;
            first = new int[outSize];
            count = new int[outSize];
            weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
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
                    weights[xx * ksize + x] = w < 0
                            ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[xx] = xmin;
                count[xx] = xmax;
            }
        }
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static RgbImage horizontal(RgbImage in, int outWidth, Coefficients c) {
        int h = in.height();
        byte[] src = in.rgb();
        byte[] dst = new byte[outWidth * h * 3];
        for (int y = 0; y < h; y++) {
            int row = y * in.width() * 3;
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
        return new RgbImage(outWidth, h, dst);
    }

    private static RgbImage vertical(RgbImage in, int outHeight, Coefficients c) {
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
