package dev.jclip.core;

import dev.jclip.convert.Converter;
import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** One loaded model serves many threads at once and gives each the answer it gives alone. */
@Tag("parity")   // .ci/run runs this tag again on the scalar kernels
class ConcurrencyTest {
    @Test
    void concurrentCallersGetTheSequentialResults() throws Exception {
        Path file = Files.createTempFile("concurrency", ".safetensors");
        Converter.convert(Fixtures.tiny("hf"), file, null);
        ClipModel clip = ClipModel.load(file);
        List<String> texts = Fixtures.texts();
        List<Path> images = Fixtures.images();
        List<float[]> textWant = clip.encodeTexts(texts);
        List<float[]> imageWant = clip.encodeImages(images);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < texts.size(); i++) {
                    int k = i;
                    futures.add(pool.submit(() -> assertArrayEquals(textWant.get(k), clip.encodeText(texts.get(k)), texts.get(k))));
                }
                for (int i = 0; i < images.size(); i++) {
                    int k = i;
                    futures.add(pool.submit(() -> assertArrayEquals(imageWant.get(k), clip.encodeImage(images.get(k)), images.get(k).toString())));
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            clip.close();
            Files.delete(file);
        }
    }
}
