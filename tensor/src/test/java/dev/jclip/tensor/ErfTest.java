package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErfTest {
    /** Python's math.erf at points on each of the approximation's ranges and their edges. */
    private static final double[][] REFERENCE = {
            {-7.0, -1.0}, {-4.5, -0.9999999998033839}, {-2.0, -0.9953222650189527},
            {-0.5, -0.5204998778130465}, {-0.3, -0.3286267594591274}, {0.0, 0.0},
            {1e-08, 1.1283791670955126e-08}, {0.2, 0.22270258921047847}, {0.46875, 0.49261347321793797},
            {0.47, 0.4937450508860821}, {1.0, 0.8427007929497149}, {2.5, 0.999593047982555},
            {3.9, 0.9999999652077514}, {4.0, 0.9999999845827421}, {4.2, 0.9999999971445058},
            {5.9, 0.9999999999999999}, {6.1, 1.0},
    };

    @Test
    void matchesPythonMathErf() {
        for (double[] r : REFERENCE) {
            assertEquals(r[1], Erf.erf(r[0]), 1e-15 + 1e-14 * Math.abs(r[1]), "erf(" + r[0] + ")");
        }
    }
}
