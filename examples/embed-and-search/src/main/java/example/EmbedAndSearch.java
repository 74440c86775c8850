package example;

import dev.jclip.core.ClipModel;
import dev.jclip.core.Similarity;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.zeroshot.Label;
import dev.jclip.core.zeroshot.LabelCache;
import dev.jclip.core.zeroshot.PromptTemplates;
import dev.jclip.core.zeroshot.ZeroShotClassifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * jclip as a library: embeddings, similarity, zero-shot classification with cached label
 * embeddings, and image search. Run with the JVM flags the kernels need:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp CLASSPATH \
 *      example.EmbedAndSearch MODEL.safetensors PHOTOS_DIR
 * </pre>
 */
public final class EmbedAndSearch {
    public static void main(String[] args) throws Exception {
        Path modelFile = Path.of(args[0]);
        Path photos = Path.of(args[1]);
        Path cat = photos.resolve("chelsea.png");

        try (ClipModel clip = ClipModel.load(modelFile)) {
            // Embeddings: projected, not normalised, as CLIPModel returns them.
            float[] image = clip.encodeImage(cat);
            List<float[]> texts = clip.encodeTexts(List.of("a photo of a cat", "a rocket launching"));
            Similarity similarity = clip.similarity(List.of(image), texts);
            System.out.println(similarity);

            // Zero-shot: each label's 80 prompt embeddings are averaged once. With many labels (the 1000
            // ImageNet classes are 80,000 prompts, minutes on ViT-L/14) keep them in a LabelCache:
            // the next run reads them from disk.
            LabelCache cache = new LabelCache(Path.of(System.getProperty("java.io.tmpdir"), "jclip-label-cache"));
            ZeroShotClassifier classifier = new ZeroShotClassifier(clip, List.of("cat", "rocket", "coffee"),
                    PromptTemplates.clip(), cache);
            List<Label> ranked = classifier.classify(image);   // best first
            System.out.println(ranked.getFirst());

            // Search: build (or update) an index of a folder, then query it by text.
            Path indexFile = Files.createTempDirectory("jclip-example").resolve("photos.idx");
            ImageIndex.build(clip, modelFile.toString(), photos, indexFile, true, ImageIndex.Progress.NONE);
            try (ImageIndex index = ImageIndex.open(indexFile)) {
                index.checkModel(clip);
                for (ImageIndex.Hit hit : index.search(clip.encodeText("a photo of a cat"), 3)) {
                    System.out.println(hit);   // id, path, score
                }
            }
        }
    }
}
