package dev.jclip.core.model;

/**
 * The name of every tensor, written once: the keys of {@code CLIP.state_dict()} in OpenAI's
 * {@code clip/model.py}, so this code can be read beside that file. The model classes load their
 * weights by these names, the converter writes runtime files under them ({@code WeightTable} adds
 * each one's shape and where Hugging Face keeps it), and a {@link Trace} reports each step of a
 * forward pass under the name of the module that computed it.
 *
 * <p>One difference in layout, not in name: Linear weights ({@code …weight} of a Linear,
 * {@code in_proj_weight}) are stored [in, out] at runtime, the transpose of PyTorch's [out, in], so
 * the matrix product reads rows of activations against rows of weights.
 */
public final class StateDictNames {
    private StateDictNames() {
    }

    /** {@code CLIP.visual}, a {@code VisionTransformer} (model.py:206). */
    public static final VisionNames VISUAL = new VisionNames("visual");

    /** The text tower's modules, which sit directly on {@code CLIP} (model.py:282-295). */
    public static final TextNames TEXT = new TextNames();

    /** {@code CLIP.logit_scale}: ln of the temperature the cosine similarities are multiplied by. */
    public static final String LOGIT_SCALE = "logit_scale";

    /** A {@code LayerNorm} module (model.py:157): weight [D], bias [D]. */
    public record LayerNormNames(String module) {
        public String weight() {
            return module + ".weight";
        }

        public String bias() {
            return module + ".bias";
        }
    }

    /** An {@code nn.Linear} module: weight, bias. */
    public record LinearNames(String module) {
        public String weight() {
            return module + ".weight";
        }

        public String bias() {
            return module + ".bias";
        }
    }

    /** A {@code ResidualAttentionBlock} (model.py:171): ln_1, attn, ln_2, mlp.c_fc, mlp.c_proj. */
    public record BlockNames(String module) {
        public LayerNormNames ln1() {
            return new LayerNormNames(module + ".ln_1");
        }

        /** {@code nn.MultiheadAttention}'s packed q, k, v projection weight. */
        public String attnInProjWeight() {
            return module + ".attn.in_proj_weight";
        }

        public String attnInProjBias() {
            return module + ".attn.in_proj_bias";
        }

        public LinearNames attnOutProj() {
            return new LinearNames(module + ".attn.out_proj");
        }

        public LayerNormNames ln2() {
            return new LayerNormNames(module + ".ln_2");
        }

        public LinearNames mlpCFc() {
            return new LinearNames(module + ".mlp.c_fc");
        }

        public LinearNames mlpCProj() {
            return new LinearNames(module + ".mlp.c_proj");
        }
    }

    /** A {@code Transformer} (model.py:195): its blocks are {@code resblocks.0 … resblocks.L-1}. */
    public record TransformerNames(String module) {
        public BlockNames resblock(int i) {
            return new BlockNames(module + ".resblocks." + i);
        }
    }

    /** {@code VisionTransformer}'s parameters and modules (model.py:211-221). */
    public record VisionNames(String module) {
        /** The patch convolution's kernel; it has no bias. */
        public String conv1Weight() {
            return module + ".conv1.weight";
        }

        public String classEmbedding() {
            return module + ".class_embedding";
        }

        public String positionalEmbedding() {
            return module + ".positional_embedding";
        }

        public LayerNormNames lnPre() {
            return new LayerNormNames(module + ".ln_pre");
        }

        public TransformerNames transformer() {
            return new TransformerNames(module + ".transformer");
        }

        public LayerNormNames lnPost() {
            return new LayerNormNames(module + ".ln_post");
        }

        public String proj() {
            return module + ".proj";
        }
    }

    /** The text tower's parameters and modules on {@code CLIP} (model.py:282-295). */
    public record TextNames() {
        public String tokenEmbedding() {
            return "token_embedding.weight";
        }

        public String positionalEmbedding() {
            return "positional_embedding";
        }

        public TransformerNames transformer() {
            return new TransformerNames("transformer");
        }

        public LayerNormNames lnFinal() {
            return new LayerNormNames("ln_final");
        }

        public String textProjection() {
            return "text_projection";
        }
    }
}
