package dev.jclip.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A read-only weight matrix [rows, cols], little-endian, in its stored precision: typically a slice
 * of a memory-mapped model file, so an F16 model stays F16 in memory and nothing is copied at load.
 * Linear layers store W as [K in, N out] (the {@code x @ W} layout).
 *
 * <p>Two layouts. {@link Layout#ROWS}: row-major. {@link Layout#STRIPS}: the columns cut into strips
 * of {@link #STRIP} (the last one zero-padded), each strip stored whole, row after row: strip s is
 * [rows][STRIP] from element {@code s · rows · STRIP}. It is the order the matrix kernel reads: the
 * panel of a strip for a run of k is one contiguous block, where row-major would touch a memory
 * page per k (a TLB miss each, which on a virtual machine costs more than the arithmetic).
 */
public final class Matrix {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Columns per strip in the {@link Layout#STRIPS} layout: two AVX-512 vectors of fp32. */
    public static final int STRIP = 32;

    /** How the values are ordered in memory. */
    public enum Layout {
        /** Row-major. */
        ROWS,
        /** Strips of {@link #STRIP} columns, each [rows][STRIP], the last zero-padded. */
        STRIPS
    }

    private final MemorySegment data;
    private final Precision precision;
    private final Layout layout;
    private final int rows;
    private final int cols;

    private Matrix(MemorySegment data, Precision precision, Layout layout, int rows, int cols) {
        this.data = data;
        this.precision = precision;
        this.layout = layout;
        this.rows = rows;
        this.cols = cols;
    }

    /** Wraps row-major {@code data}, which must hold exactly rows × cols values of {@code precision}. */
    public static Matrix wrap(MemorySegment data, Precision precision, int rows, int cols) {
        return wrap(data, precision, Layout.ROWS, rows, cols);
    }

    /** Wraps {@code data} in {@code layout}, which must hold exactly {@link #storedValues} values of {@code precision}. */
    public static Matrix wrap(MemorySegment data, Precision precision, Layout layout, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative matrix size " + rows + "x" + cols);
        }
        long need = storedValues(layout, rows, cols) * precision.bytes;
        if (data.byteSize() != need) {
            throw new IllegalArgumentException("a " + precision + " " + layout + " matrix " + rows + "x" + cols + " needs "
                    + need + " bytes, got " + data.byteSize());
        }
        return new Matrix(data, precision, layout, rows, cols);
    }

    /** Values a matrix of this size stores in {@code layout}: rows × cols, the strips' padding included. */
    public static long storedValues(Layout layout, int rows, int cols) {
        return layout == Layout.ROWS ? (long) rows * cols : strips(cols) * rows * STRIP;
    }

    /** Strips of {@link #STRIP} columns that hold {@code cols} columns. */
    public static long strips(int cols) {
        return (cols + STRIP - 1) / STRIP;
    }

    /** Row-major {@code values} [rows, cols] reordered into the {@link Layout#STRIPS} layout, padding zero. */
    public static float[] toStrips(float[] values, int rows, int cols) {
        float[] out = new float[Math.toIntExact(storedValues(Layout.STRIPS, rows, cols))];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[(int) stripIndex(rows, r, c)] = values[r * cols + c];
            }
        }
        return out;
    }

    /** The inverse of {@link #toStrips}: row-major [rows, cols] from strip-ordered {@code values}. */
    public static float[] fromStrips(float[] values, int rows, int cols) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = values[(int) stripIndex(rows, r, c)];
            }
        }
        return out;
    }

    /** Where element (r, c) is stored, counted in values from the start of {@link #data()}. */
    public long index(int r, int c) {
        return layout == Layout.ROWS ? (long) r * cols + c : stripIndex(rows, r, c);
    }

    /** Where (r, c) of a strip-layout matrix with {@code rows} rows is stored. */
    private static long stripIndex(int rows, int r, int c) {
        return ((long) (c / STRIP) * rows + r) * STRIP + c % STRIP;
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
        return new Matrix(seg, Precision.F32, Layout.ROWS, rows, cols);
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

    public Layout layout() {
        return layout;
    }

    /** The stored bytes. */
    public MemorySegment data() {
        return data;
    }

    /** Element (r, c) widened to fp32. */
    public float get(int r, int c) {
        long i = index(r, c);
        return switch (precision) {
            case F32 -> data.getAtIndex(F32, i);
            case F16 -> Float16s.f16ToF32(data.getAtIndex(I16, i));
            case BF16 -> Float16s.bf16ToF32(data.getAtIndex(I16, i));
        };
    }

    @Override
    public String toString() {
        return precision + (layout == Layout.STRIPS ? " strips" : "") + "[" + rows + ", " + cols + "]";
    }
}
