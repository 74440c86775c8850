package dev.jclip.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A read-only weight matrix [rows, cols], row-major, little-endian, in its stored precision: typically a
 * slice of a memory-mapped model file, so an F16 model stays F16 in memory and nothing is copied at
 * load. Linear layers store W as [K in, N out] (the {@code x @ W} layout), so that a run of output
 * columns is contiguous for every k.
 */
public final class Matrix {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final Precision precision;
    private final int rows;
    private final int cols;

    private Matrix(MemorySegment data, Precision precision, int rows, int cols) {
        this.data = data;
        this.precision = precision;
        this.rows = rows;
        this.cols = cols;
    }

    /** Wraps {@code data}, which must hold exactly rows × cols values of {@code precision}. */
    public static Matrix wrap(MemorySegment data, Precision precision, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative matrix size " + rows + "x" + cols);
        }
        long need = (long) rows * cols * precision.bytes;
        if (data.byteSize() != need) {
            throw new IllegalArgumentException("a " + precision + " matrix " + rows + "x" + cols + " needs "
                    + need + " bytes, got " + data.byteSize());
        }
        return new Matrix(data, precision, rows, cols);
    }

    /**
     * An F32 matrix over an off-heap copy of {@code values} [rows, cols], freed by the GC. Off-heap
     * like a mapped file: the Vector API loads from heap-array segments an order of magnitude slower.
     */
    public static Matrix of(float[] values, int rows, int cols) {
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(values.length + " values for a " + rows + "x" + cols + " matrix");
        }
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * 4, 64);
        MemorySegment.copy(values, 0, seg, F32, 0, values.length);
        return new Matrix(seg, Precision.F32, rows, cols);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public Precision precision() {
        return precision;
    }

    /** The stored bytes. */
    public MemorySegment data() {
        return data;
    }

    /** Element (r, c) widened to fp32. */
    public float get(int r, int c) {
        long i = (long) r * cols + c;
        return switch (precision) {
            case F32 -> data.getAtIndex(F32, i);
            case F16 -> Float16s.f16ToF32(data.getAtIndex(I16, i));
            case BF16 -> Float16s.bf16ToF32(data.getAtIndex(I16, i));
        };
    }

    @Override
    public String toString() {
        return precision + "[" + rows + ", " + cols + "]";
    }
}
