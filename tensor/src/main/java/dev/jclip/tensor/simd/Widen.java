package dev.jclip.tensor.simd;

import dev.jclip.tensor.Float16s;
import dev.jclip.tensor.Matrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * F32, F16 and BF16 runs of a weight matrix widened to fp32 vectors.
 *
 * <p>F16 uses the exact bit construction (no table, no rounding): the 15 magnitude bits shifted into
 * an fp32's exponent and mantissa and multiplied by 2^112 rebias the exponent, which is exact for
 * normal and subnormal halves alike; infinities and NaNs get an all-ones exponent; the sign is
 * or-ed back. BF16 is the top half of an fp32, so a shift.
 */
final class Widen {
    static final VectorSpecies<Float> F = Integer.getInteger("clip.simd.bits", 0) == 256 ? FloatVector.SPECIES_256
            : Integer.getInteger("clip.simd.bits", 0) == 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Widen() {
    }

    /** L values of {@code w} from element index {@code i} (row-major), as fp32. */
    static FloatVector load(Matrix w, long i) {
        MemorySegment seg = w.data();
        return switch (w.precision()) {
            case F32 -> FloatVector.fromMemorySegment(F, seg, i * 4, LE);
            case F16 -> f16(halves(seg, i * 2));
            case BF16 -> halves(seg, i * 2).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        };
    }

    private static IntVector halves(MemorySegment seg, long byteOffset) {
        ShortVector h = ShortVector.fromMemorySegment(H, seg, byteOffset, LE);
        return (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
    }

    private static FloatVector f16(IntVector h) {
        IntVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        FloatVector f = magnitude.reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> infOrNan = h.and(0x7c00).eq(0x7c00);
        FloatVector special = magnitude.or(0x7f800000).reinterpretAsFloats();
        f = f.blend(special, infOrNan.cast(F));
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return f.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /**
     * {@code n} values of {@code w} from element index {@code i}, as fp32, into {@code dst[off..)}.
     * Plain loops, not the Vector API: C2 turns {@code Float.float16ToFloat} over a run into the
     * CPU's half-to-float instruction (F16C / AVX-512), about three times faster than building the
     * floats from bits in vectors ({@link #load}), and the shift of BF16 into integer vector shifts.
     */
    static void copy(Matrix w, long i, float[] dst, int off, int n) {
        MemorySegment seg = w.data();
        switch (w.precision()) {
            case F32 -> MemorySegment.copy(seg, F32, i * 4, dst, off, n);
            case F16 -> {
                long b = i * 2;
                for (int c = 0; c < n; c++) {
                    dst[off + c] = Float.float16ToFloat(seg.get(I16, b + 2L * c));
                }
            }
            case BF16 -> {
                long b = i * 2;
                for (int c = 0; c < n; c++) {
                    dst[off + c] = Float.intBitsToFloat(seg.get(I16, b + 2L * c) << 16);
                }
            }
        }
    }

    static float scalar(Matrix w, long i) {
        MemorySegment seg = w.data();
        return switch (w.precision()) {
            case F32 -> seg.getAtIndex(F32, i);
            case F16 -> Float16s.f16ToF32(seg.getAtIndex(I16, i));
            case BF16 -> Float16s.bf16ToF32(seg.getAtIndex(I16, i));
        };
    }
}
