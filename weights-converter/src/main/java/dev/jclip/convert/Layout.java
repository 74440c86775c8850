package dev.jclip.convert;

import dev.jclip.core.weights.WeightTable;

import java.util.Set;

/** The checkpoint layouts CLIP-GmP-ViT-L-14 users have, told apart by their tensor names. */
enum Layout {
    /** Hugging Face {@code CLIPModel}, {@code CLIPTextModel} or {@code CLIPTextModelWithProjection}. */
    HF,
    /** OpenAI's {@code clip/model.py} state dict. */
    OPENAI,
    /** OpenAI layout saved during GmP fine-tuning: MLP weights as {@code .r} and {@code .theta}. */
    GMP;

    static Layout detect(Set<String> names, String where) {
        if (names.contains("text_model.embeddings.token_embedding.weight")) {
            return HF;
        }
        boolean openai = names.contains("token_embedding.weight") || names.contains("visual.conv1.weight");
        if (openai && names.stream().anyMatch(n -> n.endsWith(".theta"))) {
            return GMP;
        }
        if (openai) {
            if (names.contains("visual.layer1.0.conv1.weight")) {
                throw new ConversionException(where + ": a ResNet CLIP checkpoint; only ViT models are supported");
            }
            return OPENAI;
        }
        if (names.stream().anyMatch(n -> n.startsWith("vision_model."))) {
            throw new ConversionException(where + ": an HF vision-only checkpoint; a text tower is required");
        }
        throw new ConversionException(where + ": not a CLIP checkpoint I recognise (no 'text_model.embeddings"
                + ".token_embedding.weight' (Hugging Face) nor 'token_embedding.weight' (OpenAI))");
    }

    WeightTable.Source source(WeightTable.Row row) {
        return this == HF ? row.hf() : row.openai();
    }
}
