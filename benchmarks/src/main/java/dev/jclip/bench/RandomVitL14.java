package dev.jclip.bench;

import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.SafeTensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes a full-size ViT-L/14 CLIP with random weights as a Hugging Face folder (F16), the same
 * architecture and tensor names as zer0int/CLIP-GmP-ViT-L-14, for speed and memory measurements on
 * machines where the real weights cannot be downloaded. Its outputs mean nothing.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.jclip.bench.RandomVitL14 DIR [seed]</pre>
 */
public final class RandomVitL14 {
    static final int VISION_WIDTH = 1024, VISION_LAYERS = 24, VISION_MLP = 4096, PATCH = 14, IMAGE = 224;
    static final int TEXT_WIDTH = 768, TEXT_LAYERS = 12, TEXT_MLP = 3072, CONTEXT = 77, VOCAB = 49408;
    static final int PROJECTION = 768;

    private RandomVitL14() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: RandomVitL14 DIR [seed]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
        write(dir, seed);
        System.err.println("wrote a random ViT-L/14 (F16, HF layout) to " + dir);
    }

    public static void write(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": %d, "torch_dtype": "float16",
                 "text_config": {"hidden_size": %d, "intermediate_size": %d, "num_attention_heads": 12, "num_hidden_layers": %d,
                   "max_position_embeddings": %d, "vocab_size": %d, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05,
                   "projection_dim": %d},
                 "vision_config": {"hidden_size": %d, "intermediate_size": %d, "num_attention_heads": 16, "num_hidden_layers": %d,
                   "image_size": %d, "patch_size": %d, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05, "projection_dim": %d}}
                """.formatted(PROJECTION, TEXT_WIDTH, TEXT_MLP, TEXT_LAYERS, CONTEXT, VOCAB, PROJECTION,
                VISION_WIDTH, VISION_MLP, VISION_LAYERS, IMAGE, PATCH, PROJECTION));
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                 "resample": 3, "size": 224}
                """);
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        SplittableRandom rng = new SplittableRandom(seed);
        String v = "vision_model.";
        w.addFloats("logit_scale", DType.F16, new long[0], () -> new float[]{(float) Math.log(100)});
        random(w, rng, v + "embeddings.class_embedding", VISION_WIDTH);
        random(w, rng, v + "embeddings.patch_embedding.weight", VISION_WIDTH, 3, PATCH, PATCH);
        int tokens = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
        random(w, rng, v + "embeddings.position_embedding.weight", tokens, VISION_WIDTH);
        layerNorm(w, v + "pre_layrnorm", VISION_WIDTH);
        for (int i = 0; i < VISION_LAYERS; i++) {
            layer(w, rng, v + "encoder.layers." + i, VISION_WIDTH, VISION_MLP);
        }
        layerNorm(w, v + "post_layernorm", VISION_WIDTH);
        random(w, rng, "visual_projection.weight", PROJECTION, VISION_WIDTH);
        String t = "text_model.";
        random(w, rng, t + "embeddings.token_embedding.weight", VOCAB, TEXT_WIDTH);
        random(w, rng, t + "embeddings.position_embedding.weight", CONTEXT, TEXT_WIDTH);
        for (int i = 0; i < TEXT_LAYERS; i++) {
            layer(w, rng, t + "encoder.layers." + i, TEXT_WIDTH, TEXT_MLP);
        }
        layerNorm(w, t + "final_layer_norm", TEXT_WIDTH);
        random(w, rng, "text_projection.weight", PROJECTION, TEXT_WIDTH);
        w.write(dir.resolve("model.safetensors"));
    }

    private static void layer(SafeTensorsWriter w, SplittableRandom rng, String p, int d, int mlp) {
        layerNorm(w, p + ".layer_norm1", d);
        for (String proj : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
            random(w, rng, p + ".self_attn." + proj + ".weight", d, d);
            random(w, rng, p + ".self_attn." + proj + ".bias", d);
        }
        layerNorm(w, p + ".layer_norm2", d);
        random(w, rng, p + ".mlp.fc1.weight", mlp, d);
        random(w, rng, p + ".mlp.fc1.bias", mlp);
        random(w, rng, p + ".mlp.fc2.weight", d, mlp);
        random(w, rng, p + ".mlp.fc2.bias", d);
    }

    private static void layerNorm(SafeTensorsWriter w, String p, int d) {
        w.addFloats(p + ".weight", DType.F16, new long[]{d}, () -> filled(d, 1f));
        w.addFloats(p + ".bias", DType.F16, new long[]{d}, () -> new float[d]);
    }

    /** Uniform values with standard deviation 0.02, as CLIP's initialisation scale; one seed per tensor. */
    private static void random(SafeTensorsWriter w, SplittableRandom rng, String name, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        int count = Math.toIntExact(n);
        long seed = rng.nextLong();
        w.addFloats(name, DType.F16, shape, () -> {
            SplittableRandom r = new SplittableRandom(seed);
            float a = (float) (0.02 * Math.sqrt(3));
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = (float) ((r.nextDouble() * 2 - 1) * a);
            }
            return out;
        });
    }

    private static float[] filled(int n, float value) {
        float[] f = new float[n];
        Arrays.fill(f, value);
        return f;
    }
}
