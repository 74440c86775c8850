package dev.jclip.core.model;

import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The activation buffers of one forward pass, kept between calls so the hot path allocates nothing
 * once warm. A pass borrows a workspace from the pool and returns it; buffers grow to the largest
 * batch seen. Shapes: R rows (all tokens of a batch), D width, M MLP width.
 */
public final class Workspace {
    float[] x = new float[0];       // [R, D] the residual stream
    float[] h = new float[0];       // [R, D] LayerNorm output, then a sublayer's output
    float[] qkv = new float[0];     // [R, 3D]
    float[] heads = new float[0];   // [R, D] attention output, heads concatenated
    float[] mlp = new float[0];     // [R, M]
    float[] patches = new float[0]; // [B·G², C·P·P] image patches
    float[] pooled = new float[0];  // [B, D]
    float[] embeds = new float[0];  // [B, E]

    static float[] ensure(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    /** Sizes the transformer buffers for {@code rows} tokens of a tower. */
    void forTokens(int rows, ClipConfig.Tower t) {
        int d = t.width();
        x = ensure(x, rows * d);
        h = ensure(h, rows * d);
        qkv = ensure(qkv, rows * 3 * d);
        heads = ensure(heads, rows * d);
        mlp = ensure(mlp, rows * t.mlpWidth());
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
