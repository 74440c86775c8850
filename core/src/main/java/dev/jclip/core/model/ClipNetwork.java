package dev.jclip.core.model;

/** The two towers and the logit scale of OpenAI's {@code CLIP} (model.py:243), built from its weights. */
public record ClipNetwork(VisionTransformer visual /* null for text-only models */, TextTransformer text,
                          float logitScale /* ln of the similarity temperature; NaN for text-only models */) {

    public static ClipNetwork load(ClipConfig cfg, Weights w) {
        VisionTransformer visual = cfg.hasVision() ? new VisionTransformer(w, StateDictNames.VISUAL, cfg.vision()) : null;
        TextTransformer text = new TextTransformer(w, StateDictNames.TEXT, cfg.text());
        float logitScale = cfg.hasVision() ? w.floats(StateDictNames.LOGIT_SCALE)[0] : Float.NaN;
        return new ClipNetwork(visual, text, logitScale);
    }
}
