package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Float16sTest {
    @Test
    void f16RoundTripsEveryFiniteValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short s = (short) bits;
            float f = Float16s.f16ToF32(s);
            if (Float.isNaN(f)) {
                continue;
            }
            assertEquals(s, Float16s.f32ToF16(f), "f16 bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void bf16RoundTripsAndRoundsToNearestEven() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short s = (short) bits;
            float f = Float16s.bf16ToF32(s);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Float16s.bf16ToF32(Float16s.f32ToBf16(f))));
                continue;
            }
            assertEquals(s, Float16s.f32ToBf16(f), "bf16 bits " + Integer.toHexString(bits));
        }
        // 1 + 2^-8 lies exactly between two bf16 values: ties go to the even one (1.0).
        assertEquals(1.0f, Float16s.bf16ToF32(Float16s.f32ToBf16(1f + 0x1p-8f)));
        // 1 + 3·2^-8 ties between 1+2^-7 (odd) and 1+2^-6 (even).
        assertEquals(1f + 0x1p-6f, Float16s.bf16ToF32(Float16s.f32ToBf16(1f + 3 * 0x1p-8f)));
    }
}
