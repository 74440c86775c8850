package dev.jclip.core.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedSafeTensorsTest {
    @TempDir
    Path dir;

    private void shards() throws IOException {
        new SafeTensorsWriter().addFloats("a", DType.F32, new long[]{2}, () -> new float[]{1, 2})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafeTensorsWriter().addFloats("b", DType.F16, new long[]{1}, () -> new float[]{3})
                .write(dir.resolve("model-00002-of-00002.safetensors"));
    }

    @Test
    void readsTensorsFromTheirShards() throws IOException {
        shards();
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\": {\"total_size\": 10}, \"weight_map\": {"
                + "\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
        try (ShardedSafeTensors s = ShardedSafeTensors.open(index)) {
            assertEquals(Set.of("a", "b"), s.names());
            assertArrayEquals(new float[]{1, 2}, s.floats("a"));
            assertArrayEquals(new float[]{3}, s.floats("b"));
            assertEquals(DType.F16, s.info("b").dtype());
        }
    }

    @Test
    void refusesAnIndexThatLies() throws IOException {
        shards();
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"model-00002-of-00002.safetensors\","
                + " \"b\": \"model-00002-of-00002.safetensors\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ShardedSafeTensors.open(index));
        assertTrue(e.getMessage().contains("'a' is mapped to model-00002-of-00002.safetensors, which does not hold it"), e.getMessage());
    }

    @Test
    void refusesATensorMissingFromTheIndex() throws IOException {
        shards();
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\"}}");
        // Only shard 1 is opened; it holds exactly 'a', so this index is complete for what it names.
        try (ShardedSafeTensors s = ShardedSafeTensors.open(index)) {
            assertEquals(Set.of("a"), s.names());
        }
        Files.writeString(index, "{\"weight_map\": {\"b\": \"model-00002-of-00002.safetensors\","
                + " \"c\": \"model-00002-of-00002.safetensors\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ShardedSafeTensors.open(index));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
    }

    @Test
    void refusesAShardOutsideTheFolder() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"../../etc/passwd\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ShardedSafeTensors.open(index));
        assertTrue(e.getMessage().contains("does not name a shard file in the same folder"), e.getMessage());
    }

    @Test
    void refusesAMissingShard() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"gone.safetensors\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ShardedSafeTensors.open(index));
        assertTrue(e.getMessage().contains("gone.safetensors: no such file"), e.getMessage());
    }
}
