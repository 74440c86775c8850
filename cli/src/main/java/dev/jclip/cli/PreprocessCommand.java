package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.json.Json;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.SafeTensorsWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code ./clip preprocess --model M --out F.safetensors IMAGE...}: F32 {@code pixel_values} [N, 3, S, S]. */
final class PreprocessCommand implements Command {
    @Override
    public String name() {
        return "preprocess";
    }

    @Override
    public String usage() {
        return "preprocess --model M --out F.safetensors IMAGE...    pixel_values [N,3,S,S] as the model sees them";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--out"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws Exception {
        String model = Models.name(args);
        Path out = Path.of(args.required("--out"));
        List<String> images = args.positional();
        if (images.isEmpty()) {
            throw new UsageException("preprocess needs at least one IMAGE");
        }
        List<float[]> pixels = new ArrayList<>();
        List<String> done = new ArrayList<>();
        long[] shape;
        try (ClipModel clip = Models.open(model)) {
            if (!clip.hasVision()) {
                throw new UsageException("--model " + model + " is a text-only model; it has no image preprocessing");
            }
            for (String image : images) {
                try {
                    pixels.add(clip.preprocess(Path.of(image)));
                    done.add(image);
                } catch (RuntimeException e) {
                    console.inputFailed(image, e);
                }
            }
            var pre = clip.config().preprocess();
            shape = new long[]{pixels.size(), 3, pre.cropHeight(), pre.cropWidth()};
        }
        if (pixels.isEmpty()) {
            throw new UsageException("no image could be read; nothing written to " + out);
        }
        float[] all = new float[pixels.size() * pixels.getFirst().length];
        for (int i = 0; i < pixels.size(); i++) {
            System.arraycopy(pixels.get(i), 0, all, i * pixels.get(i).length, pixels.get(i).length);
        }
        new SafeTensorsWriter()
                .metadata("images", Json.write(done))
                .addFloats("pixel_values", DType.F32, shape, () -> all)
                .write(out);
        return done.size() == images.size() ? 0 : 1;
    }
}
