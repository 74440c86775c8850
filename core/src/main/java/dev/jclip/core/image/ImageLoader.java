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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads an image file the way transformers' {@code load_image} does with Pillow: the format told by
 * content ({@link ImageFormat}), the image decoded, turned upright by its EXIF orientation
 * ({@link ExifOrientation}), and converted to RGB as Pillow's {@code convert("RGB")} does: alpha
 * dropped (not composited), greyscale copied to all three channels, palettes looked up, 16-bit samples
 * cut to 8 bits as Pillow does, CMYK by Pillow's formula. Colour profiles are ignored, as Pillow ignores
 * them (see {@link JpegColor} for JPEG).
 *
 * <p>Every {@link ImageLimits limit} is checked before the work it bounds: the file size before
 * reading, the pixel count from the header before decoding, a JPEG's scan count before its first
 * scan. The first decoder warning stops the decode: a damaged file fails at once, not after the
 * decoder has filled in the rest.
 */
public final class ImageLoader {
    /** Pillow's {@code Image.MAX_IMAGE_PIXELS} × 2: above it, Pillow refuses to open the image. */
    public static final long MAX_PIXELS = ImageLimits.DEFAULT_MAX_PIXELS;

    private ImageLoader() {
    }

    /** Reads, decodes and turns upright the image file {@code path}, within the default limits. */
    public static RgbImage load(Path path) {
        return load(path, ImageLimits.DEFAULT);
    }

    /** As {@link #load(Path)} within {@code limits}. */
    public static RgbImage load(Path path, ImageLimits limits) {
        return decode(readFile(path, limits), path.toString(), limits);
    }

    /**
     * The bytes of an image file, read only if it is no larger than {@code limits} allow (checked from
     * its size first, then while reading); an {@link ImageDecodeException} naming the file otherwise.
     */
    public static byte[] readFile(Path path, ImageLimits limits) {
        return BoundedRead.file(path, limits.maxFileBytes());
    }

    /** Decodes an encoded image and turns it upright; {@code name} is used in error messages. */
    public static RgbImage decode(byte[] bytes, String name) {
        return decode(bytes, name, ImageLimits.DEFAULT);
    }

    /** As {@link #decode(byte[], String)}, refusing images of more than {@code maxPixels} pixels before decoding them. */
    public static RgbImage decode(byte[] bytes, String name, long maxPixels) {
        return decode(bytes, name, ImageLimits.DEFAULT.withMaxPixels(maxPixels));
    }

    /** As {@link #decode(byte[], String)} within {@code limits}. */
    public static RgbImage decode(byte[] bytes, String name, ImageLimits limits) {
        if (bytes.length == 0) {
            throw new ImageDecodeException(name + ": empty file (0 bytes), not an image");
        }
        if (bytes.length > limits.maxFileBytes()) {
            throw new ImageDecodeException(name + ": " + bytes.length + " bytes is over the image file limit of "
                    + limits.maxFileBytes() + " bytes");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw new ImageDecodeException(name + ": not a recognised image (" + ImageFormat.supportedList() + ")");
        }
        if (!format.supported()) {
            throw new ImageDecodeException(name + ": " + format.displayName() + " is not supported: " + format.refusal());
        }
        RgbImage decoded = decodePixels(bytes, name, format, limits);
        return ExifOrientation.upright(decoded, ExifOrientation.of(bytes, format));
    }

    private static RgbImage decodePixels(byte[] bytes, String name, ImageFormat format, ImageLimits limits) {
        if (format == ImageFormat.JPEG) {
            int scans = JpegScans.count(bytes, limits.maxJpegScans());
            if (scans > limits.maxJpegScans()) {
                throw new ImageDecodeException(name + ": a JPEG with more than " + limits.maxJpegScans()
                        + " scans; real photos have about ten, so this file is damaged or made to stall decoders");
            }
        }
        if (format == ImageFormat.WEBP) {
            return WebpDecoder.decode(bytes, name, limits);
        }
        byte[] encoded = format == ImageFormat.GIF ? GifPalette.withGreyTableIfNone(bytes) : bytes;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name().toLowerCase(Locale.ROOT));
            if (!readers.hasNext()) {
                throw new ImageDecodeException(name + ": this Java runtime has no " + format.displayName() + " decoder (java.desktop is incomplete)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                checkPixels(name, w, h, limits);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (!warning.contains("profile") && !warning.contains("thumbnail")) {
                        warnings.add(warning);
                        reader.abort(); // damaged pixel data: stop now rather than decode the rest as grey
                    }
                });
                RgbImage rgb = switch (format) {
                    case JPEG -> JpegColor.decode(reader, JpegHeader.read(bytes), name);
                    case TIFF -> TiffColor.toRgb(reader.read(0), TiffDirectory.read(bytes, 0, bytes.length), name);
                    default -> toRgb(reader.read(0), name);
                };
                if (!warnings.isEmpty()) {
                    // ImageIO decodes a truncated JPEG with a warning and grey fill; Pillow refuses it.
                    throw new ImageDecodeException(name + ": truncated or corrupt " + format.displayName()
                            + " (" + warnings.getFirst() + ")");
                }
                return rgb;
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IIOException e) {
            throw new ImageDecodeException(name + ": truncated or corrupt " + format.displayName() + " (" + rootMessage(e) + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(name + ": cannot decode this " + format.displayName() + " (" + rootMessage(e) + ")", e);
        }
    }

    /** The pixel limit, checked from the header before a pixel is decoded. */
    static void checkPixels(String name, long w, long h, ImageLimits limits) {
        if (w <= 0 || h <= 0) {
            throw new ImageDecodeException(name + ": image has no pixels (" + w + "x" + h + ")");
        }
        if (w * h > limits.maxPixels()) {
            throw new ImageDecodeException(name + ": " + w + "x" + h + " = " + w * h
                    + " pixels exceeds the limit of " + limits.maxPixels() + " (possible decompression bomb)");
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
