package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The specification checked against definitions computed independently in double precision. */
class ScalarKernelsTest {
    private final Kernels k = new ScalarKernels();

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    @Test
    void linearIsXTimesWPlusBias() {
        int m = 5, kk = 13, n = 7;
        float[] x = random(1, 3 + m * kk);  // offset 3 into the buffer
        float[] w = random(2, kk * n);      // [K, N]
        float[] b = random(3, n);
        float[] out = new float[2 + m * n];
        k.linear(x, 3, Matrix.of(w, kk, n), b, out, 2, m);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = b[j];
                for (int p = 0; p < kk; p++) {
                    s += (double) x[3 + i * kk + p] * w[p * n + j];
                }
                assertEquals(s, out[2 + i * n + j], 1e-5, "out[" + i + "," + j + "]");
            }
        }
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
    }

    @Test
    void layerNormNormalisesEachRow() {
        float[] x = {1, 2, 3, 4, 10, 10, 10, 10};
        float[] gamma = {1, 2, 1, 1};
        float[] beta = {0, 0, 1, 0};
        float[] out = new float[8];
        k.layerNorm(x, 0, gamma, beta, 1e-5f, out, 0, 2, 4);
        double sd = Math.sqrt(1.25 + 1e-5);
        assertEquals(-1.5 / sd, out[0], 1e-6);
        assertEquals(2 * -0.5 / sd, out[1], 1e-6);
        assertEquals(0.5 / sd + 1, out[2], 1e-6);
        assertEquals(1.5 / sd, out[3], 1e-6);
        assertArrayEquals(new float[]{0, 0, 1, 0}, new float[]{out[4], out[5], out[6], out[7]}, 1e-6f,
                "a constant row normalises to beta");
    }

    @Test
    void layerNormInPlace() {
        float[] x = random(4, 3 * 17);
        float[] expected = new float[x.length];
        float[] g = random(5, 17), b = random(6, 17);
        k.layerNorm(x, 0, g, b, 1e-5f, expected, 0, 3, 17);
        k.layerNorm(x, 0, g, b, 1e-5f, x, 0, 3, 17);
        assertArrayEquals(expected, x);
    }

    @Test
    void quickGeluUsesTheConstant1702() {
        float[] x = {-3f, -1f, 0f, 0.5f, 2f};
        float[] y = x.clone();
        k.quickGelu(y, 0, y.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] / (1 + Math.exp(-1.702 * x[i])), y[i], 1e-6, "quickGelu(" + x[i] + ")");
        }
    }

    @Test
    void geluIsExactNotTanh() {
        // Φ(1) = 0.841344746..., so gelu(1) = 0.841344746; the tanh approximation gives 0.841191990.
        float[] y = {1f, -1f, 0f};
        k.gelu(y, 0, 3);
        assertEquals(0.8413447460685429, y[0], 1e-7);
        assertEquals(-0.15865525393145707, y[1], 1e-7);
        assertEquals(0f, y[2]);
    }

    @Test
    void softmaxIsStableAndSumsToOne() {
        float[] x = {1000f, 1001f, 999f};
        k.softmax(x, 0, 3);
        double z = Math.exp(-1) + 1 + Math.exp(-2);
        assertEquals(Math.exp(-1) / z, x[0], 1e-6);
        assertEquals(1 / z, x[1], 1e-6);
        assertEquals(Math.exp(-2) / z, x[2], 1e-6);
    }

    @Test
    void attentionMatchesTheDefinition() {
        for (boolean causal : new boolean[]{false, true}) {
            int m = 6, heads = 2, dh = 5, width = heads * dh;
            float[] qkv = random(7, m * 3 * width);
            float[] out = new float[m * width];
            k.attention(qkv, 0, out, 0, m, heads, dh, causal);
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < m; i++) {
                    int keys = causal ? i + 1 : m;
                    double[] p = new double[keys];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < keys; j++) {
                        double s = 0;
                        for (int c = 0; c < dh; c++) {
                            s += (double) qkv[i * 3 * width + h * dh + c] * qkv[j * 3 * width + width + h * dh + c];
                        }
                        p[j] = s / Math.sqrt(dh);
                        max = Math.max(max, p[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < keys; j++) {
                        p[j] = Math.exp(p[j] - max);
                        z += p[j];
                    }
                    for (int c = 0; c < dh; c++) {
                        double o = 0;
                        for (int j = 0; j < keys; j++) {
                            o += p[j] / z * qkv[j * 3 * width + 2 * width + h * dh + c];
                        }
                        assertEquals(o, out[i * width + h * dh + c], 1e-5,
                                "causal=" + causal + " head " + h + " row " + i + " col " + c);
                    }
                }
            }
        }
    }
}
