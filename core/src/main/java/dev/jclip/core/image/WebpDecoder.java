package dev.jclip.core.image;

import java.nio.charset.StandardCharsets;

/**
 * WebP files (the RIFF container): a simple lossy ({@code VP8 }) or lossless ({@code VP8L}) image, or an
 * extended one ({@code VP8X}) that may hold alpha, metadata or an animation. Decoded to RGB as Pillow's
 * {@code convert("RGB")} does through libwebp's animation decoder: the first frame is drawn onto a
 * transparent black canvas, and alpha is dropped without compositing (so transparent pixels keep their
 * colour, and canvas outside the frame is black). Alpha data ({@code ALPH}) is therefore not decoded.
 */
final class WebpDecoder {
    private WebpDecoder() {
    }

    /** Where the first frame's bitstream is, its size, and where it goes on the canvas. */
    private record Frame(int canvasWidth, int canvasHeight, int x, int y, int width, int height, boolean lossless,
                         int offset, int length) {
    }

    /** Decodes the first frame onto its canvas, refusing a canvas over the pixel limit from the headers alone. */
    static RgbImage decode(byte[] b, String name, ImageLimits limits) {
        Frame f = locate(b, name);
        ImageLoader.checkPixels(name, f.canvasWidth(), f.canvasHeight(), limits);
        if (f.x() + f.width() > f.canvasWidth() || f.y() + f.height() > f.canvasHeight()) {
            throw new ImageDecodeException(name + ": corrupt WebP (the first frame lies outside the canvas)");
        }
        RgbImage frame;
        if (f.lossless()) {
            int[] argb = WebpLossless.decode(b, f.offset(), f.length(), name);
            byte[] rgb = new byte[f.width() * f.height() * 3];
            for (int i = 0, o = 0; i < argb.length; i++, o += 3) {
                rgb[o] = (byte) (argb[i] >> 16);
                rgb[o + 1] = (byte) (argb[i] >> 8);
                rgb[o + 2] = (byte) argb[i];
            }
            frame = new RgbImage(f.width(), f.height(), rgb);
        } else {
            frame = WebpYuv.toRgb(WebpLossy.decode(b, f.offset(), f.length(), name));
        }
        if (frame.width() == f.canvasWidth() && frame.height() == f.canvasHeight() && f.x() == 0 && f.y() == 0) {
            return frame;
        }
        byte[] canvas = new byte[f.canvasWidth() * f.canvasHeight() * 3];
        for (int row = 0; row < frame.height(); row++) {
            System.arraycopy(frame.rgb(), row * frame.width() * 3, canvas, ((f.y() + row) * f.canvasWidth() + f.x()) * 3,
                    frame.width() * 3);
        }
        return new RgbImage(f.canvasWidth(), f.canvasHeight(), canvas);
    }

    private static ImageDecodeException corrupt(String name, String what) {
        return new ImageDecodeException(name + ": corrupt WebP (" + what + ")");
    }

    private static Frame locate(byte[] b, String name) {
        if (b.length < 20) {
            throw new ImageDecodeException(name + ": truncated WebP (" + b.length + " bytes)");
        }
        long riffEnd = 8 + u32(b, 4);
        if (riffEnd > b.length) {
            // libwebp's demuxer, which Pillow uses, refuses a file shorter than its RIFF header says.
            throw new ImageDecodeException(name + ": truncated WebP (" + b.length + " bytes of the " + riffEnd + " its header announces)");
        }
        int p = 12;
        int canvasW = -1, canvasH = -1;
        boolean animated = false;
        while (p + 8 <= riffEnd) {
            String type = new String(b, p, 4, StandardCharsets.ISO_8859_1);
            long size = u32(b, p + 4);
            int data = p + 8;
            if (size > riffEnd - data) {
                throw new ImageDecodeException(name + ": truncated WebP (the " + type.trim() + " chunk runs past the end of the file)");
            }
            switch (type) {
                case "VP8X" -> {
                    if (size < 10) {
                        throw corrupt(name, "VP8X chunk of " + size + " bytes");
                    }
                    animated = (b[data] & 0x02) != 0;
                    canvasW = u24(b, data + 4) + 1;
                    canvasH = u24(b, data + 7) + 1;
                }
                case "VP8 ", "VP8L" -> {
                    if (animated) {
                        throw corrupt(name, "an image chunk in an animation outside a frame");
                    }
                    Frame f = frame(b, name, type, data, (int) size, canvasW, canvasH, 0, 0);
                    if (f.width() != f.canvasWidth() || f.height() != f.canvasHeight()) {
                        throw corrupt(name, "the image is " + f.width() + "x" + f.height() + " but its header says "
                                + f.canvasWidth() + "x" + f.canvasHeight());
                    }
                    return f;
                }
                case "ANMF" -> {
                    if (size < 16 + 8) {
                        throw corrupt(name, "animation frame of " + size + " bytes");
                    }
                    if (canvasW < 0) {
                        throw corrupt(name, "an animation frame without a VP8X header");
                    }
                    int x = 2 * u24(b, data), y = 2 * u24(b, data + 3);
                    // The frame's own chunks: an optional ALPH, then VP8 or VP8L.
                    int q = data + 16;
                    int frameEnd = data + (int) size;
                    while (q + 8 <= frameEnd) {
                        String sub = new String(b, q, 4, StandardCharsets.ISO_8859_1);
                        long subSize = u32(b, q + 4);
                        if (subSize > frameEnd - q - 8) {
                            throw new ImageDecodeException(name + ": truncated WebP (a frame's " + sub.trim() + " chunk runs past its frame)");
                        }
                        if (sub.equals("VP8 ") || sub.equals("VP8L")) {
                            return frame(b, name, sub, q + 8, (int) subSize, canvasW, canvasH, x, y);
                        }
                        q += 8 + (int) subSize + (int) (subSize & 1);
                    }
                    throw corrupt(name, "the first animation frame has no image data");
                }
                default -> {
                    // ICCP, ANIM, ALPH, EXIF, XMP and unknown chunks: nothing to draw
                }
            }
            p = data + (int) size + (int) (size & 1);
        }
        throw new ImageDecodeException(name + ": truncated or corrupt WebP (no image data)");
    }

    private static Frame frame(byte[] b, String name, String type, int offset, int length, int canvasW, int canvasH, int x, int y) {
        boolean lossless = type.equals("VP8L");
        int[] dims = lossless ? WebpLossless.size(b, offset, length) : WebpLossy.size(b, offset, length);
        if (dims == null) {
            throw corrupt(name, lossless ? "no VP8L signature" : "not a VP8 key frame");
        }
        if (dims[0] <= 0 || dims[1] <= 0) {
            throw new ImageDecodeException(name + ": image has no pixels (" + dims[0] + "x" + dims[1] + ")");
        }
        if (canvasW < 0) {
            return new Frame(dims[0], dims[1], 0, 0, dims[0], dims[1], lossless, offset, length);
        }
        return new Frame(canvasW, canvasH, x, y, dims[0], dims[1], lossless, offset, length);
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

    private static int u24(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16;
    }
}
