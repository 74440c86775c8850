package dev.jclip.core.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailureMidWriteLeavesNoFileAndKeepsTheOldOne() throws IOException {
        Path target = dir.resolve("model.safetensors");
        new SafeTensorsWriter().addFloats("old", DType.F32, new long[]{1}, () -> new float[]{7}).write(target);
        byte[] before = Files.readAllBytes(target);

        SafeTensorsWriter failing = new SafeTensorsWriter()
                .addFloats("a", DType.F32, new long[]{1}, () -> new float[]{1})
                .addFloats("b", DType.F32, new long[]{1}, () -> {
                    throw new IllegalStateException("source went away");
                });
        assertThrows(IllegalStateException.class, () -> failing.write(target));
        assertArrayEquals(before, Files.readAllBytes(target), "the previous file is untouched");
        assertEquals(List.of("model.safetensors"), listing(), "no temporary file is left behind");

        Path fresh = dir.resolve("new.safetensors");
        assertThrows(IllegalStateException.class, () -> failing.write(fresh));
        assertEquals(List.of("model.safetensors"), listing(), "no partial new file");
    }

    @Test
    void dataStartsEightByteAligned() throws IOException {
        Path target = dir.resolve("a.safetensors");
        new SafeTensorsWriter().metadata("x", "y").addFloats("t", DType.F32, new long[]{3}, () -> new float[]{1, 2, 3}).write(target);
        long headerLen = java.nio.ByteBuffer.wrap(Files.readAllBytes(target), 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        assertEquals(8 + headerLen + 12, Files.size(target));
    }
}
