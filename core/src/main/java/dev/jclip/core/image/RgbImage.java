package dev.jclip.core.image;

/** An 8-bit RGB image, pixels interleaved row by row: {@code rgb[(y·width + x)·3 + c]}. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("RGB image " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** The size, not the bytes' identity hash. */
    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
