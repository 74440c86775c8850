package dev.jclip.core;

/**
 * The small maths of embeddings, in one place: unit length, cosine as a dot product of unit
 * vectors, softmax. Sums are taken in double: these run once per result, not in the forward pass.
 */
public final class EmbeddingMath {
    private EmbeddingMath() {
    }

    /** {@code v / ‖v‖₂} as a new array; the zero vector stays zero. */
    public static float[] normalized(float[] v) {
        double sq = 0;
        for (float x : v) {
            sq += (double) x * x;
        }
        double inv = sq == 0 ? 0 : 1.0 / Math.sqrt(sq);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * inv);
        }
        return out;
    }

    /** {@code a · b}; both must have the same width. */
    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of width " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** {@code exp(l - max) / Σ exp(l - max)}: probabilities that sum to 1, whatever the logits' size. */
    public static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < e.length; i++) {
            e[i] /= sum;
        }
        return e;
    }
}
