package dev.jclip.core;

import dev.jclip.core.image.ImageLoader;
import dev.jclip.core.image.ImagePreprocessor;
import dev.jclip.core.image.RgbImage;
import dev.jclip.core.io.ModelFormatException;
import dev.jclip.core.model.ClipConfig;
import dev.jclip.core.model.ClipNetwork;
import dev.jclip.core.model.Trace;
import dev.jclip.core.model.Workspace;
import dev.jclip.core.tokenizer.ClipTokenizer;
import dev.jclip.core.weights.Checkpoint;
import dev.jclip.core.weights.RuntimeFile;
import dev.jclip.tensor.KernelProvider;
import dev.jclip.tensor.Kernels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 *     Similarity s = clip.similarity(List.of(image), List.of(text));
 * }
 * }</pre>
 * Applications built on it (zero-shot classification, the image index, describe) live in packages
 * of their own and depend on this class, never the reverse.
 */
public final class ClipModel implements AutoCloseable {
    private final ClipConfig config;
    private final ClipNetwork network;
    private final ClipTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final Kernels kernels;
    private final Checkpoint checkpoint;
    private final Workspace.Pool workspaces = new Workspace.Pool();
    private volatile String modelId;
    /** Images per forward pass in batch encoding: enough rows to keep the matrix kernels busy. */
    public static final int IMAGE_BATCH = 8;
    /** Token rows per forward pass in batch text encoding. */
    private static final int TEXT_BATCH_ROWS = 2048;

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
            return new ClipModel(checkpoint, cfg, ClipNetwork.load(cfg, checkpoint), tokenizer, kernels);
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

    /** The kernels this model computes with (SIMD or the scalar specification). */
    public Kernels kernels() {
        return kernels;
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

    /**
     * A fingerprint of the weights (config and both projections, as fp32 values), so that embeddings
     * stored by one model are not compared with another's; the same for any dtype that holds the
     * same values.
     */
    public String modelId() {
        String id = modelId;
        if (id == null) {
            modelId = id = ModelId.of(checkpoint);
        }
        return id;
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
        checkPixels(pixelValues);
        return encodePixelBatch(List.of(pixelValues), trace)[0];
    }

    private float[][] encodePixelBatch(List<float[]> pixels, Trace trace) {
        Workspace ws = workspaces.borrow();
        try {
            return finite(network.visual().forward(kernels, pixels, ws, trace), "image");
        } finally {
            workspaces.release(ws);
        }
    }

    /**
     * Refuses embeddings holding NaN or infinity: finite inputs give finite outputs in a sound model,
     * so such a result means broken weights (NaN or huge values in the file), and passing it on would
     * print {@code null}s or poison an index without a word.
     */
    private static float[][] finite(float[][] embeddings, String what) {
        for (float[] e : embeddings) {
            for (float x : e) {
                if (!Float.isFinite(x)) {
                    throw new ModelFormatException("the model computed a non-finite " + what + " embedding (" + x
                            + "): its weights hold NaN, infinite or overflowing values; convert it again from a sound checkpoint");
                }
            }
        }
        return embeddings;
    }

    /**
     * Encodes image files in batches of {@value #IMAGE_BATCH}, each packed weight panel serving every
     * image of the batch. An unreadable image throws; use {@link #encodeImage(Path)} per file to go on.
     */
    public List<float[]> encodeImages(List<Path> images) {
        List<float[]> pixels = new ArrayList<>(images.size());
        for (Path p : images) {
            pixels.add(preprocess(p));
        }
        return encodePixelsBatched(pixels);
    }

    /** Encodes preprocessed pixel tensors [3, S, S] in batches; see {@link #encodeImages(List)}. */
    public List<float[]> encodePixels(List<float[]> pixelValues) {
        return encodePixelsBatched(pixelValues);
    }

    /** Encodes decoded images in batches; see {@link #encodeImages(List)}. */
    public List<float[]> encodeImagesRgb(List<RgbImage> images) {
        List<float[]> pixels = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            pixels.add(preprocess(image));
        }
        return encodePixelsBatched(pixels);
    }

    private List<float[]> encodePixelsBatched(List<float[]> pixels) {
        requireVision();
        List<float[]> out = new ArrayList<>(pixels.size());
        for (int i = 0; i < pixels.size(); i += IMAGE_BATCH) {
            List<float[]> batch = pixels.subList(i, Math.min(pixels.size(), i + IMAGE_BATCH));
            for (float[] p : batch) {
                checkPixels(p);
            }
            out.addAll(List.of(encodePixelBatch(batch, Trace.NONE)));
        }
        return out;
    }

    private void checkPixels(float[] pixelValues) {
        int s = config.vision().imageSize();
        int expected = config.vision().channels() * s * s;
        if (pixelValues.length != expected) {
            throw new IllegalArgumentException("pixel tensor has " + pixelValues.length + " values, expected "
                    + config.vision().channels() + "x" + s + "x" + s + " = " + expected);
        }
    }

    public float[] encodeText(String text) {
        return encodeTokens(tokenize(text));
    }

    /**
     * Encodes texts in batches: sorted by length so that a batch holds texts of similar length, each
     * encoded only up to its {@code <|endoftext|>}, the results in the order given.
     */
    public List<float[]> encodeTexts(List<String> texts) {
        List<int[]> ids = new ArrayList<>(texts.size());
        for (String t : texts) {
            ids.add(pooledPrefix(tokenize(Objects.requireNonNull(t, "text"))));
        }
        Integer[] order = new Integer[ids.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
        float[][] out = new float[ids.size()][];
        for (int start = 0; start < order.length; ) {
            List<int[]> batch = new ArrayList<>();
            int rows = 0;
            int end = start;
            while (end < order.length && (batch.isEmpty() || rows + ids.get(order[end]).length <= TEXT_BATCH_ROWS)) {
                batch.add(ids.get(order[end]));
                rows += ids.get(order[end]).length;
                end++;
            }
            float[][] embeds = encodeTokenBatch(batch, Trace.NONE);
            for (int i = start; i < end; i++) {
                out[order[i]] = embeds[i - start];
            }
            start = end;
        }
        return List.of(out);
    }

    /** The ids up to and including the first {@code <|endoftext|>}: all the causal mask lets the pooled row see. */
    private int[] pooledPrefix(int[] ids) {
        return Arrays.copyOf(ids, poolIndex(ids) + 1);
    }

    private float[][] encodeTokenBatch(List<int[]> ids, Trace trace) {
        int[] pools = new int[ids.size()];
        for (int i = 0; i < pools.length; i++) {
            pools[i] = poolIndex(ids.get(i));
        }
        Workspace ws = workspaces.borrow();
        try {
            return finite(network.text().forward(kernels, ids, pools, ws, trace), "text");
        } finally {
            workspaces.release(ws);
        }
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
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is outside the vocabulary 0.." + (vocab - 1));
            }
        }
        // Tokens after the pooled one cannot reach it through the causal mask: encode only up to it,
        // unless a trace wants every row.
        int[] used = trace == Trace.NONE ? pooledPrefix(ids) : ids;
        return encodeTokenBatch(List.of(used), trace)[0];
    }

    /** Index of the first {@code <|endoftext|>}, where the text is pooled. */
    private int poolIndex(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == tokenizer.endOfText()) {
                return i;
            }
        }
        throw new IllegalArgumentException("token sequence has no <|endoftext|> (" + tokenizer.endOfText() + ") to pool at");
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
        double scale = Math.exp(network.logitScale());                              // model.py:367
        List<float[]> texts = textEmbeds.stream().map(EmbeddingMath::normalized).toList();   // model.py:364
        float[][] logits = new float[imageEmbeds.size()][texts.size()];
        float[][] probs = new float[imageEmbeds.size()][texts.size()];
        for (int i = 0; i < logits.length; i++) {
            float[] img = EmbeddingMath.normalized(imageEmbeds.get(i));                    // model.py:363
            double[] row = new double[texts.size()];
            for (int t = 0; t < texts.size(); t++) {
                logits[i][t] = (float) (scale * EmbeddingMath.dot(img, texts.get(t)));   // model.py:368
                row[t] = logits[i][t];
            }
            double[] p = EmbeddingMath.softmax(row);
            for (int t = 0; t < p.length; t++) {
                probs[i][t] = (float) p[t];
            }
        }
        return new Similarity(logits, probs);
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
