package dev.jclip.core.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * TIFF colour as Pillow reads it, where the JDK's TIFF reader says otherwise: CMYK files
 * (photometric "separated", which the JDK labels RGB unless a profile says CMYK) are converted by
 * Pillow's CMYK formula (the only CMYK rasters: JPEG's are read raw in {@link JpegColor}); and a
 * palette's 16-bit entries are cut to their high byte as Pillow does (the JDK rounds, one level off).
 * Everything else is the common conversion ({@link ImageLoader#toRgb}).
 */
final class TiffColor {
    private TiffColor() {
    }

    static RgbImage toRgb(BufferedImage image, TiffDirectory tags, String name) {
        Raster raster = image.getRaster();
        int w = image.getWidth(), h = image.getHeight();
        int bits = raster.getSampleModel().getSampleSize(0);
        boolean cmyk = tags.value(TiffDirectory.PHOTOMETRIC, -1) == TiffDirectory.PHOTOMETRIC_SEPARATED
                || image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
        if (cmyk && raster.getNumBands() >= 4) {
            int shift = Math.max(0, bits - 8);
            byte[] rgb = new byte[w * h * 3];
            int[] px = new int[raster.getNumBands()];
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    raster.getPixel(x, y, px);
                    CmykToRgb.convert(px[0] >> shift, px[1] >> shift, px[2] >> shift, px[3] >> shift, rgb, o);
                }
            }
            return new RgbImage(w, h, rgb);
        }
        long[] map = tags.values(TiffDirectory.COLOR_MAP);
        if (image.getColorModel() instanceof IndexColorModel && map != null && map.length % 3 == 0) {
            int entries = map.length / 3;
            byte[] rgb = new byte[w * h * 3];
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    int i = raster.getSample(x, y, 0);
                    if (i < entries) {
                        rgb[o] = (byte) (map[i] >> 8);
                        rgb[o + 1] = (byte) (map[entries + i] >> 8);
                        rgb[o + 2] = (byte) (map[2 * entries + i] >> 8);
                    }
                }
            }
            return new RgbImage(w, h, rgb);
        }
        return ImageLoader.toRgb(image, name);
    }
}
