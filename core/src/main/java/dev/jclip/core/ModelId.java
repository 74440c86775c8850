package dev.jclip.core;

import dev.jclip.core.model.StateDictNames;
import dev.jclip.core.weights.Checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A model's identity, which indexes record so they are never searched with another model's
 * vectors: SHA-256 over the hyper-parameters and the tensors every embedding passes through last
 * (both projections and {@code ln_final}), first 16 bytes in hex. The file's format version is not
 * part of it, and values are hashed in their logical row-major order: converting the same weights
 * into a newer file layout keeps the id.
 */
final class ModelId {
    private ModelId() {
    }

    static String of(Checkpoint checkpoint) {
        MessageDigest sha = sha256();
        sha.update(checkpoint.config().hyperParametersJson().getBytes(StandardCharsets.UTF_8));
        List<String> names = List.of(StateDictNames.VISUAL.proj(), StateDictNames.TEXT.textProjection(),
                StateDictNames.TEXT.lnFinal().weight());
        for (String name : names) {
            if (checkpoint.names().contains(name)) {
                float[] v = checkpoint.floats(name);   // row-major whatever the file's layout
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                sha.update(b.array());
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM offers no SHA-256, which every Java SE runtime must", e);
        }
    }
}
