package dev.jclip.core.index;

import java.nio.ByteBuffer;

/**
 * Signed 4-bit codes of a vector with one scale per vector, laid out as {@code Kernels.nibbleDots}
 * reads them: {@code code = round(v / scale)} in [-7, 7] with {@code scale = max|v| / 7}, so
 * {@code scale · Σ code·q} approximates {@code v · q} within a few thousandths of cosine.
 *
 * <p>Why so coarse: a scan is bound by memory bandwidth (about 12–20 GB/s on two cores here), and a
 * million 768-wide vectors are 1.5 GB in F16 but 384 MB as nibbles. A large index scans the nibbles
 * for candidates, then scores those from the stored vectors exactly.
 */
final class Quantized {
    private Quantized() {
    }

    /** Bytes of one vector's codes: the width rounded up to whole 32-column blocks, two columns a byte. */
    static int codeBytes(int dim) {
        return paddedDim(dim) / 2;
    }

    /** The width rounded up to a multiple of 32; the padding columns have code 0. */
    static int paddedDim(int dim) {
        return (dim + 31) / 32 * 32;
    }

    /** Writes the scale (F32) of {@code v} to {@code scale} and its codes to {@code codes}. */
    static void encode(float[] v, ByteBuffer scale, ByteBuffer codes) {
        float max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        float s = max / 7f;
        scale.putFloat(s);
        int padded = paddedDim(v.length);
        for (int block = 0; block < padded; block += 32) {
            for (int t = 0; t < 16; t++) {
                int lo = code(v, block + t, s);
                int hi = code(v, block + 16 + t, s);
                codes.put((byte) ((hi << 4) | (lo & 0x0f)));
            }
        }
    }

    private static int code(float[] v, int c, float scale) {
        if (c >= v.length || scale == 0) {
            return 0;
        }
        return Math.max(-7, Math.min(7, Math.round(v[c] / scale)));
    }
}
