package dev.jclip.tensor;

/** Conversions between fp32 and the two 16-bit float formats checkpoints use. */
public final class Float16s {
    private Float16s() {
    }

    /** IEEE 754 binary16 bits to fp32 (exact). */
    public static float f16ToF32(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** fp32 to IEEE 754 binary16 bits, round to nearest even. */
    public static short f32ToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** bfloat16 bits (the top half of an fp32) to fp32 (exact). */
    public static float bf16ToF32(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** fp32 to bfloat16 bits, round to nearest even; NaN stays NaN. */
    public static short f32ToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
