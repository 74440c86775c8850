package dev.jclip.core.model;

import java.util.Locale;

/** The MLP activations CLIP checkpoints use, named as in HF's {@code hidden_act}. */
public enum Activation {
    /** {@code x * sigmoid(1.702 x)}: OpenAI's CLIP, including ViT-L/14 and CLIP-GmP-ViT-L-14. */
    QUICK_GELU("quick_gelu"),
    /** Exact GELU, {@code x * Φ(x)} with erf. */
    GELU("gelu");

    public final String configName;

    Activation(String configName) {
        this.configName = configName;
    }

    public static Activation fromConfig(String name) {
        for (Activation a : values()) {
            if (a.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported hidden_act '" + name + "' (supported: quick_gelu, gelu)");
    }
}
