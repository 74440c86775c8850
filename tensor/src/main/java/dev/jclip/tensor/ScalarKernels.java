package dev.jclip.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain loops, written for clarity: the specification the SIMD kernels are tested against. */
public final class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    /** As the SIMD probe, one lane wide: 12 chains of {@code Math.fma} per thread. */
    @Override
    public double fmaPeakGflops(int millis) {
        return FmaProbe.gflops(millis, 12.0 * (1 << 14) * 2, ScalarKernels::fmaRound);
    }

    private static float fmaRound(float seed) {
        float a0 = seed, a1 = seed + 1, a2 = seed + 2, a3 = seed + 3, a4 = seed + 4, a5 = seed + 5;
        float a6 = seed + 6, a7 = seed + 7, a8 = seed + 8, a9 = seed + 9, a10 = seed + 10, a11 = seed + 11;
        for (int i = 0; i < 1 << 14; i++) {
            a0 = Math.fma(a0, 0.999999f, 1e-7f);
            a1 = Math.fma(a1, 0.999999f, 1e-7f);
            a2 = Math.fma(a2, 0.999999f, 1e-7f);
            a3 = Math.fma(a3, 0.999999f, 1e-7f);
            a4 = Math.fma(a4, 0.999999f, 1e-7f);
            a5 = Math.fma(a5, 0.999999f, 1e-7f);
            a6 = Math.fma(a6, 0.999999f, 1e-7f);
            a7 = Math.fma(a7, 0.999999f, 1e-7f);
            a8 = Math.fma(a8, 0.999999f, 1e-7f);
            a9 = Math.fma(a9, 0.999999f, 1e-7f);
            a10 = Math.fma(a10, 0.999999f, 1e-7f);
            a11 = Math.fma(a11, 0.999999f, 1e-7f);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    @Override
    public void linear(float[] x, int xOff, Matrix w, float[] bias, float[] out, int outOff, int m) {
        int k = w.rows();
        int n = w.cols();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                out[outOff + i * n + j] = bias == null ? 0f : bias[j];
            }
        }
        float[] wRow = new float[n];
        for (int p = 0; p < k; p++) {
            readRow(w, p, wRow, 0);
            for (int i = 0; i < m; i++) {
                float xv = x[xOff + i * k + p];
                int o = outOff + i * n;
                for (int j = 0; j < n; j++) {
                    out[o + j] += xv * wRow[j];
                }
            }
        }
    }

    @Override
    public void layerNorm(float[] x, int xOff, float[] gamma, float[] beta, float eps,
                          float[] out, int outOff, int rows, int d) {
        for (int r = 0; r < rows; r++) {
            int in = xOff + r * d;
            int o = outOff + r * d;
            // Two passes: the mean first, then the variance around it, so no catastrophic cancellation.
            float sum = 0f;
            for (int c = 0; c < d; c++) {
                sum += x[in + c];
            }
            float mean = sum / d;
            float sq = 0f;
            for (int c = 0; c < d; c++) {
                float t = x[in + c] - mean;
                sq += t * t;
            }
            float inv = (float) (1.0 / Math.sqrt(sq / d + eps));
            for (int c = 0; c < d; c++) {
                out[o + c] = (x[in + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
    }

    @Override
    public void quickGelu(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) {
            float v = x[i];
            x[i] = v / (1f + (float) Math.exp(-1.702f * v));
        }
    }

    @Override
    public void gelu(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) {
            float v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + Erf.erf(v / Math.sqrt(2.0))));
        }
    }

    @Override
    public void softmax(float[] x, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = off; i < off + len; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = off; i < off + len; i++) {
            x[i] *= inv;
        }
    }

    @Override
    public void attention(float[] qkv, int qkvOff, float[] out, int outOff, int m, int heads, int headDim, boolean causal) {
        int width = heads * headDim;
        int stride = 3 * width;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] scores = new float[m];
        for (int h = 0; h < heads; h++) {
            int qCol = qkvOff + h * headDim;
            int kCol = qkvOff + width + h * headDim;
            int vCol = qkvOff + 2 * width + h * headDim;
            for (int i = 0; i < m; i++) {
                int keys = causal ? i + 1 : m;
                int q = i * stride + qCol;
                for (int j = 0; j < keys; j++) {
                    int kk = j * stride + kCol;
                    float dot = 0f;
                    for (int c = 0; c < headDim; c++) {
                        dot += qkv[q + c] * qkv[kk + c];
                    }
                    scores[j] = dot * scale;
                }
                softmax(scores, 0, keys);
                int o = outOff + i * width + h * headDim;
                for (int c = 0; c < headDim; c++) {
                    out[o + c] = 0f;
                }
                for (int j = 0; j < keys; j++) {
                    float p = scores[j];
                    int v = j * stride + vCol;
                    for (int c = 0; c < headDim; c++) {
                        out[o + c] += p * qkv[v + c];
                    }
                }
            }
        }
    }

    @Override
    public void matVec(Matrix m, float[] x, float[] out) {
        for (int r = 0; r < m.rows(); r++) {
            float sum = 0f;
            for (int c = 0; c < m.cols(); c++) {
                sum += m.get(r, c) * x[c];
            }
            out[r] = sum;
        }
    }

    @Override
    public void nibbleDots(MemorySegment codes, int rows, int cols, float[] x, float[] out) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * (cols / 2);
            float sum = 0f;
            for (int b = 0; b < cols / 32; b++) {
                for (int t = 0; t < 16; t++) {
                    int v = codes.get(ValueLayout.JAVA_BYTE, row + 16L * b + t);
                    sum += ((v << 28) >> 28) * x[32 * b + t];   // low nibble, sign-extended
                    sum += (v >> 4) * x[32 * b + 16 + t];       // high nibble (arithmetic shift)
                }
            }
            out[r] = sum;
        }
    }

    @Override
    public void readRow(Matrix w, int r, float[] dst, int off) {
        for (int c = 0; c < w.cols(); c++) {
            dst[off + c] = w.get(r, c);
        }
    }
}
