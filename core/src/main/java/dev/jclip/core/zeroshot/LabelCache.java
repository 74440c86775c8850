package dev.jclip.core.zeroshot;

import dev.jclip.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Label embeddings kept on disk between runs, one file per (model, templates, labels): embedding
 * the 80 prompts of each label is most of a short classification run on ViT-L/14. A file that does
 * not hold exactly the expected floats is ignored and rewritten.
 */
public final class LabelCache {
    private final Path dir;

    public LabelCache(Path dir) {
        this.dir = dir;
    }

    static String key(String modelId, PromptTemplates templates, List<String> labels) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((modelId + "\n").getBytes(StandardCharsets.UTF_8));
            for (String t : templates.templates()) {
                sha.update((t + "\n").getBytes(StandardCharsets.UTF_8));
            }
            sha.update("\n".getBytes(StandardCharsets.UTF_8));
            for (String l : labels) {
                sha.update((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached [L][E] embeddings, or null if absent or unusable. */
    float[][] get(String key, int labels, int dim) {
        Path f = dir.resolve(key + ".f32");
        try {
            if (!Files.isRegularFile(f) || Files.size(f) != (long) labels * dim * 4) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            float[][] out = new float[labels][dim];
            for (float[] row : out) {
                b.asFloatBuffer().get(row);
                b.position(b.position() + dim * 4);
            }
            return out;
        } catch (IOException e) {
            return null;   // a cache that cannot be read is recomputed, not an error
        }
    }

    void put(String key, float[][] embeds) {
        try {
            ByteBuffer b = ByteBuffer.allocate(embeds.length * embeds[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : embeds) {
                for (float v : row) {
                    b.putFloat(v);
                }
            }
            AtomicFiles.write(dir.resolve(key + ".f32"), b.array());
        } catch (IOException e) {
            // A cache that cannot be written only costs time on the next run.
        }
    }
}
