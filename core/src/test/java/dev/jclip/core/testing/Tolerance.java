package dev.jclip.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise comparisons that say where and by how much two tensors differ. */
public final class Tolerance {
    private Tolerance() {
    }

    /** The largest absolute difference; fails on a length mismatch. */
    public static double maxAbsDiff(float[] expected, float[] actual, int expectedOffset, String what) {
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) expected[expectedOffset + i] - actual[i]);
            if (Double.isNaN(d)) {
                fail(what + ": NaN at index " + i);
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Asserts every |expected − actual| ≤ tol, naming the first offending index. */
    public static void assertClose(float[] expected, int expectedOffset, float[] actual, double tol, String what) {
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) expected[expectedOffset + i] - actual[i]);
            if (!(d <= tol)) {
                fail(String.format("%s: index %d differs by %.3g (expected %.7g, got %.7g; tolerance %.1g; max diff %.3g)",
                        what, i, d, expected[expectedOffset + i], actual[i], tol,
                        maxAbsDiff(expected, actual, expectedOffset, what)));
            }
        }
    }

    public static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertClose(expected, 0, actual, tol, what);
    }
}
