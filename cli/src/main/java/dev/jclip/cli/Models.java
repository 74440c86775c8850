package dev.jclip.cli;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens {@code --model}: a converted file, or an HF folder / OpenAI / GmP checkpoint converted in memory. */
final class Models {
    private Models() {
    }

    static ClipModel open(String model) {
        Path p = Path.of(model);
        if (!Files.exists(p)) {
            throw new UsageException("--model " + model + ": no such file or folder");
        }
        return ClipModel.load(Converter.open(p)); // the model owns the checkpoint and closes it
    }
}
