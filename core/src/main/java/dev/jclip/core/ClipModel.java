package dev.jclip.core;

import dev.jclip.core.image.ImageLoader;
import dev.jclip.core.image.ImagePreprocessor;
import dev.jclip.core.image.RgbImage;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.model.ClipNetwork;
import dev.jclip.core.model.Trace;
import dev.jclip.core.tokenizer.ClipTokenizer;
import dev.jclip.core.weights.Checkpoint;
import dev.jclip.core.weights.RuntimeFile;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A loaded CLIP model: the Java API. Load once, share freely: every method is safe to call from many
 * threads at once (the weights are read-only and each call works in its own buffers).
 *
 * <pre>{@code
 * try (ClipModel clip = ClipModel.load(Path.of("clip-tiny.safetensors"))) {
 *     float[] image = clip.encodeImage(Path.of("cat.png"));
 *     float[] text = clip.encodeText("a photo of a cat");
 *     List<Label> labels = clip.classify(Path.of("cat.png"), List.of("a cat", "a dog"));
 * }
 * }</pre>
 */
public final class ClipModel implements AutoCloseable {
    private final ClipConfig config;
    private final ClipNetwork network;
    private final ClipTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final Kernels kernels;
    private final Checkpoint checkpoint;

    private ClipModel(Checkpoint checkpoint, ClipConfig config, ClipNetwork network, ClipTokenizer tokenizer, Kernels kernels) {
        this.checkpoint = checkpoint;
        this.config = config;
        this.network = network;
        this.tokenizer = tokenizer;
        this.preprocessor = new ImagePreprocessor(config.preprocess());
        this.kernels = kernels;
    }

    /**
     * Loads a converted model file ({@code ./clip convert}). The weight matrices stay in the
     * memory-mapped file, in its stored precision; {@link #close()} unmaps it.
     */
    public static ClipModel load(Path modelFile) {
        return load(RuntimeFile.open(modelFile));
    }

    /**
     * Loads from any runtime-layout checkpoint, e.g. one the converter builds in memory. The model
     * takes the checkpoint over and closes it in {@link #close()}.
     */
    public static ClipModel load(Checkpoint checkpoint) {
        return load(checkpoint, KernelProvider.kernels());
    }

    /** As {@link #load(Checkpoint)}, computing with the given kernels (e.g. the scalar specification). */
    public static ClipModel load(Checkpoint checkpoint, Kernels kernels) {
        try {
            ClipConfig cfg = checkpoint.config();
            ClipTokenizer tokenizer = new ClipTokenizer(checkpoint.tokenizer(), cfg.text().contextLength());
            return new ClipModel(checkpoint, cfg, ClipNetwork.load(checkpoint), tokenizer, kernels);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    public ClipConfig config() {
        return config;
    }

    /** Width of every embedding this model returns. */
    public int embedDim() {
        return config.embedDim();
    }

    public boolean hasVision() {
        return network.visual() != null;
    }

    /** The tokenizer's ids for {@code text}, {@code <|startoftext|>} to {@code <|endoftext|>}, unpadded. */
    public int[] tokenize(String text) {
        return tokenizer.encode(Objects.requireNonNull(text, "text"));
    }

    /** True if {@code text} has more tokens than the context length and would be truncated. */
    public boolean truncates(String text) {
        return tokenizer.truncates(text);
    }

    /** The preprocessed pixel tensor [3, H, W] of an image file. */
    public float[] preprocess(Path image) {
        return preprocessor.pixelValues(ImageLoader.load(image));
    }

    /** The preprocessed pixel tensor [3, H, W] of a decoded image. */
    public float[] preprocess(RgbImage image) {
        return preprocessor.pixelValues(image);
    }

    // ----------------------------------------------------------------------------------------------
    // Embeddings (projected, not normalised: what OpenAI's encode_image / encode_text return)

    public float[] encodeImage(Path image) {
        return encodePixels(preprocess(image));
    }

    public float[] encodeImage(RgbImage image) {
        return encodePixels(preprocess(image));
    }

    /** Encodes an already preprocessed pixel tensor [3, S, S]. */
    public float[] encodePixels(float[] pixelValues) {
        return encodePixels(pixelValues, Trace.NONE);
    }

    /** As {@link #encodePixels(float[])}, reporting every layer's activations to {@code trace}. */
    public float[] encodePixels(float[] pixelValues, Trace trace) {
        requireVision();
        int s = config.vision().imageSize();
        int expected = config.vision().channels() * s * s;
        if (pixelValues.length != expected) {
            throw new IllegalArgumentException("pixel tensor has " + pixelValues.length + " values, expected "
                    + config.vision().channels() + "x" + s + "x" + s + " = " + expected);
        }
        return network.visual().forward(kernels, pixelValues, trace);
    }

    public List<float[]> encodeImages(List<Path> images) {
        List<float[]> out = new ArrayList<>(images.size());
        for (Path p : images) {
            out.add(encodeImage(p));
        }
        return out;
    }

    /** Encodes decoded images; see {@link #encodeImages(List)}. */
    public List<float[]> encodeImagesRgb(List<RgbImage> images) {
        List<float[]> out = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            out.add(encodeImage(image));
        }
        return out;
    }

    public float[] encodeText(String text) {
        return encodeTokens(tokenize(text));
    }

    public List<float[]> encodeTexts(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(encodeText(t));
        }
        return out;
    }

    /** Encodes token ids; pooling is at the first {@code <|endoftext|>}, so padding after it is ignored. */
    public float[] encodeTokens(int[] ids) {
        return encodeTokens(ids, Trace.NONE);
    }

    /** As {@link #encodeTokens(int[])}, reporting every layer's activations to {@code trace}. */
    public float[] encodeTokens(int[] ids, Trace trace) {
        int ctx = config.text().contextLength();
        if (ids.length == 0 || ids.length > ctx) {
            throw new IllegalArgumentException("token sequence of length " + ids.length + " (must be 1.." + ctx + ")");
        }
        int vocab = config.text().vocabSize();
        int pool = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is outside the vocabulary 0.." + (vocab - 1));
            }
            if (pool < 0 && ids[i] == tokenizer.endOfText()) {
                pool = i;
            }
        }
        if (pool < 0) {
            throw new IllegalArgumentException("token sequence has no <|endoftext|> (" + tokenizer.endOfText() + ") to pool at");
        }
        // Tokens after the pooled one cannot reach it through the causal mask: encode only up to it,
        // unless a trace wants every row.
        int[] used = trace == Trace.NONE ? java.util.Arrays.copyOf(ids, pool + 1) : ids;
        return network.text().forward(kernels, used, pool, trace);
    }

    // ----------------------------------------------------------------------------------------------
    // Scores

    /** exp(logit_scale), the temperature the logits are multiplied by (100 for OpenAI's CLIP). */
    public float logitScale() {
        requireVision();
        return (float) Math.exp(network.logitScale());
    }

    /** HF's {@code logits_per_image} and their softmax over texts. */
    public Similarity similarity(List<float[]> imageEmbeds, List<float[]> textEmbeds) {
        requireVision();
        if (textEmbeds.isEmpty()) {
            throw new IllegalArgumentException("similarity needs at least one text");
        }
        double scale = Math.exp(network.logitScale());
        List<float[]> texts = textEmbeds.stream().map(ClipModel::normalized).toList();
        float[][] logits = new float[imageEmbeds.size()][texts.size()];
        float[][] probs = new float[imageEmbeds.size()][texts.size()];
        for (int i = 0; i < logits.length; i++) {
            float[] img = normalized(imageEmbeds.get(i));
            for (int t = 0; t < texts.size(); t++) {
                logits[i][t] = (float) (scale * dot(img, texts.get(t)));
            }
            probs[i] = softmax(logits[i]);
        }
        return new Similarity(logits, probs);
    }

    /** Zero-shot classification: the labels (used verbatim as texts) ranked by probability, best first. */
    public List<Label> classify(Path image, List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("classify needs at least one label");
        }
        Similarity s = similarity(List.of(encodeImage(image)), encodeTexts(labels));
        List<Label> out = new ArrayList<>();
        for (int t = 0; t < labels.size(); t++) {
            out.add(new Label(labels.get(t), s.probs()[0][t], s.logitsPerImage()[0][t]));
        }
        out.sort(Comparator.comparingDouble(Label::probability).reversed());
        return out;
    }

    /** {@code v / ‖v‖₂}. */
    public static float[] normalized(float[] v) {
        double sq = 0;
        for (float x : v) {
            sq += (double) x * x;
        }
        double inv = sq == 0 ? 0 : 1.0 / Math.sqrt(sq);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * inv);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of width " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }

    private void requireVision() {
        if (network.visual() == null) {
            throw new UnsupportedOperationException("this is a text-encoder-only model: it has no image tower");
        }
    }

    /** Releases the model file; calls still running or made afterwards fail with IllegalStateException. */
    @Override
    public void close() {
        checkpoint.close();
    }
}
