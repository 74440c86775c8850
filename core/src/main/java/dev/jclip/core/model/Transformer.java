package dev.jclip.core.model;

import dev.jclip.core.model.StateDictNames.TransformerNames;
import dev.jclip.tensor.Kernels;

/**
 * OpenAI's {@code Transformer} (model.py:195): the stack of residual attention blocks both towers
 * share. The text tower's is built with a causal attention mask (model.py:286), the vision tower's
 * without. Shapes: R rows, D width.
 */
final class Transformer {
    private final TransformerNames names;
    private final ResidualAttentionBlock[] resblocks;
    private final boolean causal;
    private final int width;

    Transformer(Weights w, TransformerNames names, ClipConfig.Tower t, boolean causal) {
        this.names = names;
        this.width = t.width();
        this.resblocks = new ResidualAttentionBlock[t.layers()];
        for (int i = 0; i < resblocks.length; i++) {
            resblocks[i] = new ResidualAttentionBlock(w, names.resblock(i), t);
        }
        this.causal = causal;
    }

    /**
     * model.py:203 {@code self.resblocks(x)}: runs every block over the residual stream
     * {@code ws.x()} [R, D] in place. {@code trace} sees the first {@code traceRows} rows after each block.
     */
    void forward(Kernels kernels, Workspace ws, int[] lengths, Trace trace, int traceRows) {
        for (int i = 0; i < resblocks.length; i++) {
            resblocks[i].forward(kernels, ws, lengths, causal);
            trace.record(names.resblock(i).module(), ws.x(), 0, traceRows, width);
        }
    }
}
