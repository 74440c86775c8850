package dev.jclip.core.zeroshot;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Zero-shot classification as in the CLIP paper: each label's embedding is the mean of its prompts'
 * normalised text embeddings, renormalised; an image's logits are exp(logit_scale) · cos(image,
 * label), its probabilities their softmax. Label embeddings are computed once, at construction.
 */
public final class ZeroShotClassifier {
    private final ClipModel clip;
    private final List<String> labels;
    private final float[][] labelEmbeds;   // [L, E], unit length

    public ZeroShotClassifier(ClipModel clip, List<String> labels, PromptTemplates templates) {
        this(clip, labels, templates, null);
    }

    /** As above, reading and writing the label embeddings through {@code cache} (may be null). */
    public ZeroShotClassifier(ClipModel clip, List<String> labels, PromptTemplates templates, LabelCache cache) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("the label list is empty");
        }
        for (String l : labels) {
            if (l == null || l.isBlank()) {
                throw new IllegalArgumentException("a label is empty");
            }
        }
        this.clip = clip;
        this.labels = List.copyOf(labels);
        String key = cache == null ? null : LabelCache.key(clip.modelId(), templates, this.labels);
        float[][] cached = cache == null ? null : cache.get(key, labels.size(), clip.embedDim());
        if (cached != null) {
            this.labelEmbeds = cached;
            return;
        }
        this.labelEmbeds = labelEmbeddings(labels, templates, clip.embedDim(), clip::encodeTexts);
        if (cache != null) {
            cache.put(key, labelEmbeds);
        }
    }

    private ZeroShotClassifier(ClipModel clip, List<String> labels, float[][] labelEmbeds) {
        this.clip = clip;
        this.labels = List.copyOf(labels);
        this.labelEmbeds = labelEmbeds;
    }

    /**
     * A classifier over label embeddings computed elsewhere by {@link #labelEmbeddings} (a server that
     * caches them per label, say): {@code labelEmbeds[l]} is label {@code l}'s unit-length embedding.
     */
    public static ZeroShotClassifier of(ClipModel clip, List<String> labels, float[][] labelEmbeds) {
        if (labels.isEmpty() || labels.size() != labelEmbeds.length) {
            throw new IllegalArgumentException(labels.size() + " labels but " + labelEmbeds.length + " label embeddings");
        }
        for (float[] e : labelEmbeds) {
            if (e.length != clip.embedDim()) {
                throw new IllegalArgumentException("a label embedding of width " + e.length + ", not " + clip.embedDim());
            }
        }
        return new ZeroShotClassifier(clip, labels, labelEmbeds);
    }

    /**
     * Each label's embedding, [L][E] unit length: the renormalised mean of its prompts' normalised text
     * embeddings. {@code encodeTexts} embeds a list of prompts ({@link ClipModel#encodeTexts}, or a queue in front of it).
     */
    public static float[][] labelEmbeddings(List<String> labels, PromptTemplates templates, int dim,
                                            Function<List<String>, List<float[]>> encodeTexts) {
        int t = templates.templates().size();
        List<String> prompts = new ArrayList<>(labels.size() * t);
        for (String label : labels) {
            for (int i = 0; i < t; i++) {
                prompts.add(templates.apply(i, label));
            }
        }
        List<float[]> embeds = encodeTexts.apply(prompts);
        float[][] labelEmbeds = new float[labels.size()][];
        for (int l = 0; l < labels.size(); l++) {
            double[] mean = new double[dim];
            for (int i = 0; i < t; i++) {
                float[] e = EmbeddingMath.normalized(embeds.get(l * t + i));
                for (int c = 0; c < mean.length; c++) {
                    mean[c] += e[c];
                }
            }
            float[] m = new float[mean.length];
            for (int c = 0; c < m.length; c++) {
                m[c] = (float) (mean[c] / t);
            }
            labelEmbeds[l] = EmbeddingMath.normalized(m);
        }
        return labelEmbeds;
    }

    public List<String> labels() {
        return labels;
    }

    /** The labels ranked by probability for an image embedding, best first. */
    public List<Label> classify(float[] imageEmbedding) {
        float[] img = EmbeddingMath.normalized(imageEmbedding);
        double scale = clip.logitScale();
        double[] logits = new double[labels.size()];
        for (int l = 0; l < logits.length; l++) {
            logits[l] = scale * EmbeddingMath.dot(img, labelEmbeds[l]);
        }
        double[] probs = EmbeddingMath.softmax(logits);
        List<Label> out = new ArrayList<>(labels.size());
        for (int l = 0; l < logits.length; l++) {
            out.add(new Label(labels.get(l), (float) probs[l], (float) logits[l]));
        }
        out.sort(Comparator.comparingDouble(Label::probability).reversed());
        return out;
    }
}
