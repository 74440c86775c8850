package dev.jclip.core.image;

import javax.imageio.ImageReader;
import java.awt.image.Raster;
import java.io.IOException;

/**
 * JPEG colour handled the way Pillow (libjpeg) does, not the way ImageIO does.
 *
 * <p>ImageIO applies an embedded ICC profile when it decodes to sRGB, so a photo with a camera profile
 * comes out several levels (tens, in saturated areas) away from what Pillow gives, which ignores
 * profiles. So JPEGs are read as raw components ({@code readRaster}: the decoder's output before any
 * colour conversion) and converted here with libjpeg's own fixed-point YCbCr → RGB arithmetic.
 */
final class JpegColor {
    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        // jdcolor.c build_ycc_rgb_table
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegColor() {
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Decodes image 0 of a JPEG reader to RGB as Pillow's {@code convert("RGB")} would. */
    static RgbImage decode(ImageReader reader, JpegHeader header, String name) throws IOException {
        boolean rgbComponents = header.storesRgb();
        Raster raw = reader.readRaster(0, null);
        int w = raw.getWidth();
        int h = raw.getHeight();
        int bands = raw.getNumBands();
        byte[] rgb = new byte[w * h * 3];
        int[] px = new int[bands];
        if (bands == 1) {
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) raw.getSample(x + raw.getMinX(), y + raw.getMinY(), 0);
                }
            }
        } else if (bands == 3) {
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    raw.getPixel(x + raw.getMinX(), y + raw.getMinY(), px);
                    if (rgbComponents) {
                        rgb[o] = (byte) px[0];
                        rgb[o + 1] = (byte) px[1];
                        rgb[o + 2] = (byte) px[2];
                    } else {
                        int yy = px[0], cb = px[1], cr = px[2];
                        rgb[o] = (byte) clamp(yy + CR_R[cr]);
                        rgb[o + 1] = (byte) clamp(yy + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
                        rgb[o + 2] = (byte) clamp(yy + CB_B[cb]);
                    }
                }
            }
        } else if (bands == 4) {
            // libjpeg hands Pillow CMYK (converting YCCK with the YCbCr tables); Pillow then assumes
            // Adobe's inverted samples ("CMYK;I"), as every CMYK JPEG writer in use stores them.
            boolean ycck = header.adobeTransform() == 2;
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    raw.getPixel(x + raw.getMinX(), y + raw.getMinY(), px);
                    int c = px[0], m = px[1], ye = px[2];
                    if (ycck) {
                        int yy = px[0], cb = px[1], cr = px[2];
                        c = 255 - clamp(yy + CR_R[cr]);
                        m = 255 - clamp(yy + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
                        ye = 255 - clamp(yy + CB_B[cb]);
                    }
                    CmykToRgb.convert(255 - c, 255 - m, 255 - ye, 255 - px[3], rgb, o);
                }
            }
        } else {
            throw new ImageDecodeException(name + ": a JPEG with " + bands + " colour components, which no photo format uses");
        }
        return new RgbImage(w, h, rgb);
    }
}
