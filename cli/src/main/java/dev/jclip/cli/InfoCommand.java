package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip info --model M}: the model's config as one JSON line; {@code ./clip info --index INDEX}:
 * what an index holds (model, image folder, count, width, storage, size, when it was built).
 */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String usage() {
        return "info (--model M | --index INDEX)                     the model's config, or what an index holds";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--index"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        String indexFile = args.one("--index");
        if (indexFile == null) {
            try (ClipModel clip = Models.open(args)) {
                console.out().println(clip.config().toJson());
            }
            return 0;
        }
        if (args.one("--model") != null) {
            throw new UsageException("info takes --model or --index, not both");
        }
        Path file = Path.of(indexFile);
        try (ImageIndex index = ImageIndex.open(file)) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("index", file.toAbsolutePath().normalize().toString());
            info.put("model", index.modelSource());
            info.put("model_id", index.modelId());
            info.put("images_dir", index.imagesDir() == null ? null : index.imagesDir().toString());
            info.put("images", index.size());
            info.put("dim", index.dim());
            info.put("dtype", index.dtypeName());
            info.put("format_version", index.formatVersion());
            info.put("bytes", Files.size(file));
            info.put("built", Files.getLastModifiedTime(file).toInstant().toString());
            console.out().println(Json.write(info));
        }
        return 0;
    }
}
