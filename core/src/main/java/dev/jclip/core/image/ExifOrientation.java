package dev.jclip.core.image;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EXIF orientation tag (274) of an encoded image, found where each format keeps it, as Pillow's
 * {@code Image.getexif()} finds it: a JPEG's APP1 "Exif" segment, a PNG's {@code eXIf} chunk, a WebP's
 * {@code EXIF} chunk, a TIFF's first IFD; failing those, the XMP packet's {@code tiff:Orientation}.
 *
 * <p>Cameras store a portrait photo as landscape pixels plus this tag; every viewer turns it upright,
 * and so do transformers' {@code load_image} and therefore the reference. A malformed or absent tag
 * means 1 (upright): metadata never makes an image unreadable, as in Pillow.
 */
public final class ExifOrientation {
    private static final Pattern XMP_ORIENTATION = Pattern.compile("tiff:Orientation(?:=\"|>)([0-9])");

    private ExifOrientation() {
    }

    /** The orientation 1..8 of an encoded image of {@code format}; 1 when it has none. */
    public static int of(byte[] file, ImageFormat format) {
        int found = switch (format) {
            case JPEG -> fromJpeg(file);
            case PNG -> fromPng(file);
            case WEBP -> fromWebp(file);
            case TIFF -> fromTiff(file, 0, file.length);
            default -> 0;
        };
        return found >= 1 && found <= 8 ? found : 1;
    }

    /** Turns a decoded image upright as {@code PIL.ImageOps.exif_transpose} does for {@code orientation}. */
    public static RgbImage upright(RgbImage image, int orientation) {
        return switch (orientation) {
            case 2 -> transform(image, false, true, false);  // FLIP_LEFT_RIGHT
            case 3 -> transform(image, false, true, true);   // ROTATE_180
            case 4 -> transform(image, false, false, true);  // FLIP_TOP_BOTTOM
            case 5 -> transform(image, true, false, false);  // TRANSPOSE
            case 6 -> transform(image, true, true, false);   // ROTATE_270 (90° clockwise)
            case 7 -> transform(image, true, true, true);    // TRANSVERSE
            case 8 -> transform(image, true, false, true);   // ROTATE_90 (90° counter-clockwise)
            default -> image;
        };
    }

    /**
     * Every orientation is a transpose (swap x and y) or not, followed by mirroring the columns and/or
     * the rows of the result: output (x, y) reads input (sx, sy) with sx, sy taken from the mirrored
     * coordinates, swapped when transposed.
     */
    private static RgbImage transform(RgbImage in, boolean transpose, boolean mirrorX, boolean mirrorY) {
        int w = in.width();
        int h = in.height();
        int ow = transpose ? h : w;
        int oh = transpose ? w : h;
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0, o = 0; y < oh; y++) {
            int my = mirrorY ? oh - 1 - y : y;
            for (int x = 0; x < ow; x++, o += 3) {
                int mx = mirrorX ? ow - 1 - x : x;
                int sx = transpose ? my : mx;
                int sy = transpose ? mx : my;
                int s = (sy * w + sx) * 3;
                out[o] = src[s];
                out[o + 1] = src[s + 1];
                out[o + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }

    /** JPEG: the first APP1 segment starting "Exif\0\0" holds a TIFF structure; XMP sits in another APP1. */
    private static int fromJpeg(byte[] b) {
        int[] found = {0};
        String[] xmp = {null};
        JpegHeader.segments(b, (marker, start, end) -> {
            if (marker == 0xE1) {
                if (startsWith(b, start, "Exif\0\0")) {
                    found[0] = fromTiff(b, start + 6, end);
                } else if (xmp[0] == null && startsWith(b, start, "http://ns.adobe.com/xap/1.0/\0")) {
                    xmp[0] = new String(b, start, end - start, StandardCharsets.UTF_8);
                }
            }
            return found[0] == 0;
        });
        return found[0] != 0 ? found[0] : fromXmp(xmp[0]);
    }

    /** PNG: an {@code eXIf} chunk (before or after the image data), else XMP in an {@code iTXt} chunk. */
    private static int fromPng(byte[] b) {
        String xmp = null;
        int p = 8;
        while (p + 12 <= b.length) {
            long length = u32be(b, p);
            String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
            int start = p + 8;
            if (length > b.length - start - 4L) {
                break;
            }
            int end = start + (int) length;
            if (type.equals("eXIf")) {
                int at = startsWith(b, start, "Exif\0\0") ? start + 6 : start;
                int found = fromTiff(b, at, end);
                if (found != 0) {
                    return found;
                }
            } else if (type.equals("iTXt") && xmp == null && startsWith(b, start, "XML:com.adobe.xmp\0")) {
                xmp = new String(b, start, end - start, StandardCharsets.UTF_8);
            } else if (type.equals("IEND")) {
                break;
            }
            p = end + 4; // skip the CRC
        }
        return fromXmp(xmp);
    }

    /** WebP: the RIFF container's {@code EXIF} chunk (some writers prefix it with "Exif\0\0"), else {@code XMP }. */
    private static int fromWebp(byte[] b) {
        String xmp = null;
        int p = 12;
        while (p + 8 <= b.length) {
            String type = new String(b, p, 4, StandardCharsets.ISO_8859_1);
            long length = u32le(b, p + 4);
            int start = p + 8;
            if (length > b.length - start) {
                break;
            }
            int end = start + (int) length;
            if (type.equals("EXIF")) {
                int at = startsWith(b, start, "Exif\0\0") ? start + 6 : start;
                int found = fromTiff(b, at, end);
                if (found != 0) {
                    return found;
                }
            } else if (type.equals("XMP ") && xmp == null) {
                xmp = new String(b, start, end - start, StandardCharsets.UTF_8);
            }
            p = end + (int) (length & 1); // chunks are padded to even sizes
        }
        return fromXmp(xmp);
    }

    /** The orientation tag of the TIFF structure in {@code b[start, end)}; 0 when absent. */
    static int fromTiff(byte[] b, int start, int end) {
        return (int) Math.min(TiffDirectory.read(b, start, end).value(TiffDirectory.ORIENTATION, 0), 9);
    }

    private static int fromXmp(String xmp) {
        if (xmp == null) {
            return 0;
        }
        Matcher m = XMP_ORIENTATION.matcher(xmp);
        return m.find() ? m.group(1).charAt(0) - '0' : 0;
    }

    private static boolean startsWith(byte[] b, int at, String ascii) {
        if (at < 0 || at + ascii.length() > b.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[at + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16be(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static long u32be(byte[] b, int p) {
        return ((long) u16be(b, p) << 16) | u16be(b, p + 2);
    }

    private static long u32le(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

}
