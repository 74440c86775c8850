package dev.jclip.core.image;

/**
 * A GIF without a global colour table (its frames carrying none either is allowed) is shown by Pillow
 * as greyscale: each pixel's index is its grey level. The JDK's reader would substitute a palette of
 * its own, with a warning. Giving such a file a grey-ramp global table makes the JDK decode it as
 * Pillow does; a frame's own (local) table still takes precedence, as in Pillow.
 */
final class GifPalette {
    private static final int SCREEN_DESCRIPTOR_END = 13;

    private GifPalette() {
    }

    static byte[] withGreyTableIfNone(byte[] gif) {
        if (gif.length < SCREEN_DESCRIPTOR_END || (gif[10] & 0x80) != 0) {
            return gif;
        }
        byte[] out = new byte[gif.length + 3 * 256];
        System.arraycopy(gif, 0, out, 0, SCREEN_DESCRIPTOR_END);
        out[10] = (byte) ((gif[10] & 0x70) | 0x80 | 0x07); // a global table of 2^(7+1) = 256 entries
        for (int i = 0; i < 256; i++) {
            out[SCREEN_DESCRIPTOR_END + 3 * i] = out[SCREEN_DESCRIPTOR_END + 3 * i + 1] = out[SCREEN_DESCRIPTOR_END + 3 * i + 2] = (byte) i;
        }
        System.arraycopy(gif, SCREEN_DESCRIPTOR_END, out, SCREEN_DESCRIPTOR_END + 3 * 256, gif.length - SCREEN_DESCRIPTOR_END);
        return out;
    }
}
