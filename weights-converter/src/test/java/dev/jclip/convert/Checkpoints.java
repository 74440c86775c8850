package dev.jclip.convert;

import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.safetensors.SafeTensorsWriter;
import dev.jclip.core.safetensors.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/** Writes edited copies of fixture checkpoints, for the malformed-input tests. */
final class Checkpoints {
    private Checkpoints() {
    }

    /** Copies the tensors of {@code src} that {@code keep} accepts, with {@code metadata} replacing the source's. */
    static void copy(Path src, Path dst, Predicate<String> keep, Map<String, String> metadata) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(src)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            (metadata != null ? metadata : f.metadata()).forEach(w::metadata);
            for (String name : f.names()) {
                if (keep.test(name)) {
                    TensorInfo t = f.info(name);
                    w.addBytes(name, t.dtype(), t.shape(), () -> f.bytes(name));
                }
            }
            w.write(dst);
        }
    }

    /** Copies an HF folder's small files (config, tokenizer, preprocessing) into {@code dst}. */
    static void copyHfSideFiles(Path hf, Path dst, String... names) throws IOException {
        Files.createDirectories(dst);
        for (String n : names) {
            Files.copy(hf.resolve(n), dst.resolve(n));
        }
    }
}
