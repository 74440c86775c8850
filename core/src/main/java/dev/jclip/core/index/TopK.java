package dev.jclip.core.index;

/**
 * The indices of the {@code k} largest scores, best first (ties: lower index first), in one pass with
 * a k-element min-heap of primitive ints: searching a million vectors must not box a million integers.
 */
final class TopK {
    private TopK() {
    }

    static int[] indices(float[] scores, int k) {
        int n = Math.min(k, scores.length);
        int[] heap = new int[n]; // min-heap by (score, then higher index is "smaller")
        int size = 0;
        for (int i = 0; i < scores.length; i++) {
            if (size < n) {
                heap[size] = i;
                up(heap, size++, scores);
            } else if (better(i, heap[0], scores)) {
                heap[0] = i;
                down(heap, 0, n, scores);
            }
        }
        int[] out = new int[size];
        for (int j = size - 1; j >= 0; j--) {
            out[j] = heap[0];
            heap[0] = heap[j];
            down(heap, 0, j, scores);
        }
        return out;
    }

    /** Whether index a ranks above index b. */
    private static boolean better(int a, int b, float[] s) {
        int c = Float.compare(s[a], s[b]);
        return c > 0 || (c == 0 && a < b);
    }

    private static void up(int[] h, int j, float[] s) {
        while (j > 0) {
            int parent = (j - 1) / 2;
            if (!better(h[parent], h[j], s)) {
                break;
            }
            int t = h[parent];
            h[parent] = h[j];
            h[j] = t;
            j = parent;
        }
    }

    private static void down(int[] h, int j, int size, float[] s) {
        while (true) {
            int l = 2 * j + 1;
            if (l >= size) {
                return;
            }
            int worst = l + 1 < size && better(h[l], h[l + 1], s) ? l + 1 : l;
            if (!better(h[j], h[worst], s)) {
                return;
            }
            int t = h[j];
            h[j] = h[worst];
            h[worst] = t;
            j = worst;
        }
    }
}
