package dev.jclip.core.model;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The activation buffers of one forward pass, kept between calls so the hot path allocates nothing
 * once warm. A pass borrows a workspace from the {@link Pool} and returns it; buffers grow to the
 * largest batch seen and only this class replaces them. Who writes what:
 * <ul>
 *   <li>{@code x}: the residual stream, set by a tower's embedding step, updated by every block;
 *   <li>{@code h}, {@code qkv}, {@code heads}, {@code mlp}: a block's scratch, dead between blocks;
 *   <li>{@code patches}: the vision tower's input, cut into patch rows;
 *   <li>{@code pooled}, {@code embeds}: a tower's last LayerNorm and its projection.
 * </ul>
 * Shapes: R rows (all tokens of a batch), D width, M MLP width, B batch, E embedding width.
 */
public final class Workspace {
    private float[] x = new float[0];       // [R, D]
    private float[] h = new float[0];       // [R, D]  LayerNorm output, then a sublayer's output
    private float[] qkv = new float[0];     // [R, 3D]
    private float[] heads = new float[0];   // [R, D]  attention output, heads concatenated
    private float[] mlp = new float[0];     // [R, M]
    private float[] patches = new float[0]; // [B·G², C·P·P]
    private float[] pooled = new float[0];  // [B, D]
    private float[] embeds = new float[0];  // [B, E]

    /** Sizes the transformer buffers for {@code rows} tokens of a tower. */
    void forTokens(int rows, ClipConfig.Tower t) {
        int d = t.width();
        x = atLeast(x, rows * d);
        h = atLeast(h, rows * d);
        qkv = atLeast(qkv, rows * 3 * d);
        heads = atLeast(heads, rows * d);
        mlp = atLeast(mlp, rows * t.mlpWidth());
    }

    float[] x() {
        return x;
    }

    float[] h() {
        return h;
    }

    float[] qkv() {
        return qkv;
    }

    float[] heads() {
        return heads;
    }

    float[] mlp() {
        return mlp;
    }

    float[] patches(int size) {
        return patches = atLeast(patches, size);
    }

    float[] pooled(int size) {
        return pooled = atLeast(pooled, size);
    }

    float[] embeds(int size) {
        return embeds = atLeast(embeds, size);
    }

    /** The first {@code rows} rows of {@code buffer}, each copied out to an array of its own: results leave the workspace. */
    static float[][] copyRows(float[] buffer, int rows, int width) {
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(buffer, i * width, (i + 1) * width);
        }
        return out;
    }

    private static float[] atLeast(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    /** A pool of workspaces shared by the threads calling one model. */
    public static final class Pool {
        private final ConcurrentLinkedDeque<Workspace> free = new ConcurrentLinkedDeque<>();

        public Workspace borrow() {
            Workspace w = free.pollFirst();
            return w != null ? w : new Workspace();
        }

        public void release(Workspace w) {
            free.addFirst(w);
        }
    }
}
