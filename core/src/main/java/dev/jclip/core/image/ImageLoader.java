package dev.jclip.core.image;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decodes JPEG, PNG, GIF and BMP with the JDK's ImageIO and converts to RGB the way Pillow's
 * {@code convert("RGB")} does: alpha dropped (not composited), greyscale copied to all three channels,
 * palettes looked up, 16-bit samples cut to 8 bits as Pillow does. Colour profiles are ignored, as
 * Pillow ignores them (see {@link JpegColor} for JPEG). The pixel count is checked against Pillow's decompression-bomb limit before a
 * single pixel is decoded.
 */
public final class ImageLoader {
    /** Pillow's {@code Image.MAX_IMAGE_PIXELS} × 2: above it, Pillow refuses to open the image. */
    public static final long MAX_PIXELS = 2L * (1024L * 1024 * 1024 / 4 / 3);

    private ImageLoader() {
    }

    public static RgbImage load(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(path + ": no such file");
        } catch (IOException e) {
            throw new ImageDecodeException(path + ": cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, path.toString());
    }

    /** Decodes an encoded image; {@code name} is used in error messages. */
    public static RgbImage decode(byte[] bytes, String name) {
        return decode(bytes, name, MAX_PIXELS);
    }

    /** As {@link #decode(byte[], String)}, refusing images of more than {@code maxPixels} pixels before decoding them. */
    public static RgbImage decode(byte[] bytes, String name, long maxPixels) {
        if (bytes.length == 0) {
            throw new ImageDecodeException(name + ": empty file (0 bytes), not an image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException(name + ": not a recognised image (JPEG, PNG, GIF or BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw new ImageDecodeException(name + ": " + w + "x" + h + " = " + w * h
                            + " pixels exceeds the limit of " + maxPixels + " (possible decompression bomb)");
                }
                if (w <= 0 || h <= 0) {
                    throw new ImageDecodeException(name + ": image has no pixels (" + w + "x" + h + ")");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                boolean jpeg = reader.getFormatName().equalsIgnoreCase("jpeg");
                RgbImage rgb = jpeg ? JpegColor.decode(reader, name) : toRgb(reader.read(0), name);
                if (!warnings.isEmpty()) {
                    // ImageIO decodes a truncated JPEG with a warning and grey fill; Pillow refuses it.
                    throw new ImageDecodeException(name + ": truncated or corrupt " + reader.getFormatName()
                            + " (" + warnings.getFirst() + ")");
                }
                return rgb;
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IIOException e) {
            throw new ImageDecodeException(name + ": truncated or corrupt image (" + rootMessage(e) + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(name + ": cannot decode image (" + rootMessage(e) + ")", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return t == e ? m : e.getMessage() + ": " + m;
    }

    /** Pillow's {@code convert("RGB")} on a decoded image, reading raw samples (no colour management). */
    static RgbImage toRgb(BufferedImage image, String name) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        byte[] rgb = new byte[w * h * 3];
        int bands = raster.getNumBands();
        int bits = raster.getSampleModel().getSampleSize(0);
        int[] px = new int[bands];
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    int i = raster.getSample(x, y, 0);
                    rgb[o] = (byte) icm.getRed(i);
                    rgb[o + 1] = (byte) icm.getGreen(i);
                    rgb[o + 2] = (byte) icm.getBlue(i);
                }
            }
        } else if (cm instanceof DirectColorModel dcm) {
            // Packed pixels (BMP): the colour model scales each field to 8 bits.
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    Object data = raster.getDataElements(x, y, null);
                    rgb[o] = (byte) dcm.getRed(data);
                    rgb[o + 1] = (byte) dcm.getGreen(data);
                    rgb[o + 2] = (byte) dcm.getBlue(data);
                }
            }
        } else if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && bands <= 2) {
            boolean sixteen = raster.getTransferType() == DataBuffer.TYPE_USHORT;
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    int v = raster.getSample(x, y, 0);
                    if (sixteen) {
                        v = Math.min(v, 255); // Pillow's I;16 → RGB clamps; it does not rescale
                    } else if (bits < 8) {
                        v = v * 255 / ((1 << bits) - 1);
                    }
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) v;
                }
            }
        } else if (bands >= 3 && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB) {
            int shift = Math.max(0, bits - 8); // 16-bit RGB: Pillow keeps the most significant byte
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    raster.getPixel(x, y, px);
                    rgb[o] = (byte) (px[0] >> shift);
                    rgb[o + 1] = (byte) (px[1] >> shift);
                    rgb[o + 2] = (byte) (px[2] >> shift);
                }
            }
        } else {
            throw new ImageDecodeException(name + ": unsupported colour layout (" + bands + " bands, colour space type "
                    + cm.getColorSpace().getType() + "); convert it to RGB first");
        }
        return new RgbImage(w, h, rgb);
    }
}
