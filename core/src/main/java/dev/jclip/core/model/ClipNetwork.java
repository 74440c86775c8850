package dev.jclip.core.model;

import dev.jclip.core.weights.Checkpoint;

/** The two towers and the logit scale, built from a checkpoint's runtime tensors. */
public record ClipNetwork(VisionTransformer visual /* null for text-only models */, TextTransformer text,
                          float logitScale /* ln of the similarity temperature; NaN for text-only models */) {

    public static ClipNetwork load(Checkpoint checkpoint) {
        ClipConfig cfg = checkpoint.config();
        Weights w = new Weights(checkpoint);
        VisionTransformer visual = cfg.hasVision() ? new VisionTransformer(w, cfg.vision()) : null;
        TextTransformer text = new TextTransformer(w, cfg.text());
        float logitScale = cfg.hasVision() ? w.get("logitScale")[0] : Float.NaN;
        return new ClipNetwork(visual, text, logitScale);
    }
}
