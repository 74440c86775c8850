package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The strip layout: where each element lives, and the reorder there and back. */
class MatrixTest {
    @Test
    void stripsHoldEveryColumnOnceWithZeroPadding() {
        int rows = 5;
        for (int cols : new int[]{1, 31, 32, 33, 70}) {
            float[] v = new float[rows * cols];
            for (int i = 0; i < v.length; i++) {
                v[i] = i + 1;
            }
            float[] strips = Matrix.toStrips(v, rows, cols);
            assertEquals((cols + 31) / 32 * 32 * rows, strips.length, cols + " columns");
            Matrix m = Matrix.of(strips, 1, strips.length);
            Matrix s = Matrix.wrap(m.data(), Precision.F32, Matrix.Layout.STRIPS, rows, cols);
            double padding = 0;
            for (float x : strips) {
                padding += x == 0 ? 1 : 0;
            }
            assertEquals(strips.length - v.length, padding, "zeros only in the padding, " + cols + " columns");
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(v[r * cols + c], s.get(r, c), "(" + r + ", " + c + ") of " + cols);
                }
            }
            assertArrayEquals(v, Matrix.fromStrips(strips, rows, cols));
        }
    }

    @Test
    void aStripIsItsRowsOneAfterAnother() {
        Matrix s = Matrix.wrap(Matrix.of(new float[2 * 3 * 32], 1, 2 * 3 * 32).data(), Precision.F32, Matrix.Layout.STRIPS, 3, 40);
        assertEquals(0, s.index(0, 0));
        assertEquals(31, s.index(0, 31));
        assertEquals(32, s.index(1, 0));
        assertEquals(3 * 32, s.index(0, 32));          // the second strip starts after the first's 3 rows
        assertEquals(3 * 32 + 2 * 32 + 7, s.index(2, 39));
    }
}
