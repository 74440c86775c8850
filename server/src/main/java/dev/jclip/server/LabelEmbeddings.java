package dev.jclip.server;

import dev.jclip.core.zeroshot.PromptTemplates;
import dev.jclip.core.zeroshot.ZeroShotClassifier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Label embeddings kept in memory per (templates, label): with the 80 CLIP templates a label costs 80
 * text encodings, so a classification that repeats known labels embeds only the new ones.
 * Least recently used entries go first beyond {@value #CAPACITY}.
 */
final class LabelEmbeddings {
    private static final int CAPACITY = 20_000;

    private final InferenceQueue queue;
    private final int dim;
    private final Map<String, float[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > CAPACITY;
        }
    };

    LabelEmbeddings(InferenceQueue queue, int dim) {
        this.queue = queue;
        this.dim = dim;
    }

    /** A short key for a template set (the CLIP set is 3 KB of text; each cached label would repeat it). */
    private static String fingerprint(PromptTemplates templates) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String t : templates.templates()) {
                sha.update(t.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** [L][E] unit-length embeddings of {@code labels} under {@code templates}. */
    float[][] of(List<String> labels, PromptTemplates templates) {
        String prefix = fingerprint(templates) + "\u0000";
        Map<String, float[]> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        synchronized (cache) {
            for (String label : new LinkedHashSet<>(labels)) {
                float[] e = cache.get(prefix + label);
                if (e != null) {
                    found.put(label, e);
                } else {
                    missing.add(label);
                }
            }
        }
        if (!missing.isEmpty()) {
            float[][] computed = ZeroShotClassifier.labelEmbeddings(missing, templates, dim, queue::embedTexts);
            synchronized (cache) {
                for (int i = 0; i < missing.size(); i++) {
                    cache.put(prefix + missing.get(i), computed[i]);
                    found.put(missing.get(i), computed[i]);
                }
            }
        }
        float[][] out = new float[labels.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = found.get(labels.get(i));
        }
        return out;
    }
}
