package dev.jclip.core.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsFileTest {
    @TempDir
    Path dir;

    /** A file made of a raw header string and {@code dataBytes} zero bytes. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private void assertRefused(Path file, String... fragments) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsFile.open(file).close());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
        assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
    }

    @Test
    void roundTripsEveryDtypeAndZeroDimTensors() throws IOException {
        Path p = dir.resolve("all.safetensors");
        new SafeTensorsWriter()
                .metadata("note", "hello")
                .addFloats("f32", DType.F32, new long[]{2, 2}, () -> new float[]{1.5f, -2f, 3.25f, 0f})
                .addFloats("f16", DType.F16, new long[]{3}, () -> new float[]{0.5f, -1f, 65504f})
                .addFloats("bf16", DType.BF16, new long[]{2}, () -> new float[]{1f, -3.5f})
                .addFloats("scalar", DType.F32, new long[]{}, () -> new float[]{4.6052f})
                .addBytes("i64", DType.I64, new long[]{2}, () -> le(7, -1))
                .addBytes("i64scalar", DType.I64, new long[]{}, () -> le(224))
                .addBytes("i32", DType.I32, new long[]{1}, () -> new byte[]{5, 0, 0, 0})
                .addBytes("u8", DType.U8, new long[]{3}, () -> new byte[]{0, (byte) 200, (byte) 255})
                .addFloats("empty", DType.F32, new long[]{0, 4}, () -> new float[0])
                .write(p);
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertEquals(Map.of("note", "hello"), f.metadata());
            assertArrayEquals(new float[]{1.5f, -2f, 3.25f, 0f}, f.floats("f32"));
            assertArrayEquals(new float[]{0.5f, -1f, 65504f}, f.floats("f16"));
            assertArrayEquals(new float[]{1f, -3.5f}, f.floats("bf16"));
            assertArrayEquals(new float[]{4.6052f}, f.floats("scalar"));
            assertEquals(0, f.info("scalar").shape().length);
            assertArrayEquals(new long[]{7, -1}, f.longs("i64"));
            assertArrayEquals(new long[]{224}, f.longs("i64scalar"));
            assertArrayEquals(new long[]{5}, f.longs("i32"));
            assertArrayEquals(new long[]{0, 200, 255}, f.longs("u8"));
            assertEquals(0, f.floats("empty").length);
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> f.floats("i64"));
            assertTrue(e.getMessage().contains("'i64' is I64"), e.getMessage());
            e = assertThrows(SafeTensorsException.class, () -> f.info("nope"));
            assertTrue(e.getMessage().contains("no tensor named 'nope'"), e.getMessage());
        }
    }

    @Test
    void readsTheFixtureCheckpointHeaders() {
        try (SafeTensorsFile f = SafeTensorsFile.open(dev.jclip.core.testing.Fixtures.tiny("hf/model.safetensors"))) {
            assertEquals(DType.F16, f.info("logit_scale").dtype());
            assertEquals(0, f.info("logit_scale").shape().length);
            assertEquals((float) Math.log(100), f.floats("logit_scale")[0], 1e-3);
            assertArrayEquals(new long[]{1, 77}, f.info("text_model.embeddings.position_ids").shape());
            assertEquals(76, f.longs("text_model.embeddings.position_ids")[76]);
        }
    }

    @Test
    void refusesAFileShorterThanTheLengthField() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[]{1, 2, 3});
        assertRefused(p, "shorter than the 8-byte header length");
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path p = dir.resolve("empty.safetensors");
        Files.write(p, new byte[0]);
        assertRefused(p, "0 bytes");
    }

    @Test
    void refusesAHeaderLengthPastTheEnd() throws IOException {
        Path p = dir.resolve("truncated.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(500).put("{\"a\":".getBytes(StandardCharsets.UTF_8));
        Files.write(p, b.array());
        assertRefused(p, "runs past the end of the file", "truncated");
    }

    @Test
    void refusesAHugeHeaderLengthBeforeReadingIt() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, le(200L * 1024 * 1024, 0));
        assertRefused(p, "header length", "104857600");
        Files.write(p, le(-1L, 0));
        assertRefused(p, "18446744073709551615");
    }

    @Test
    void refusesAHeaderThatIsNotJson() throws IOException {
        assertRefused(raw("{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON");
        assertRefused(raw("[1, 2, 3]", 0), "not valid JSON");
    }

    @Test
    void refusesAHeaderThatIsNotUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
        Path p = dir.resolve("latin1.safetensors");
        Files.write(p, b.array());
        assertRefused(p, "not valid UTF-8");
    }

    @Test
    void refusesOffsetsOutsideTheData() throws IOException {
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8),
                "'w'", "outside the data section of 8 bytes");
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", 8),
                "'w'", "outside the data section");
    }

    @Test
    void refusesASizeThatDisagreesWithDtypeAndShape() throws IOException {
        assertRefused(raw("{\"w\": {\"dtype\": \"F16\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8),
                "'w'", "holds 8 bytes but F16 [3] needs 6");
    }

    @Test
    void refusesOverlappingTensors() throws IOException {
        assertRefused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'a' and 'b' overlap");
    }

    @Test
    void refusesAnUnknownDtype() throws IOException {
        assertRefused(raw("{\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2),
                "'w'", "unsupported dtype 'F8_E4M3'");
    }

    @Test
    void refusesBadShapesAndFields() throws IOException {
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 0]}}", 0), "non-negative");
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 0]}}", 0), "non-negative");
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 0]}}", 0), "'shape'");
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "'data_offsets'");
        assertRefused(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 0]}}", 0), "overflows");
        assertRefused(raw("{\"w\": [1]}", 0), "not a JSON object");
        assertRefused(raw("{\"__metadata__\": {\"a\": 1}}", 0), "not a string");
    }

    @Test
    void refusesAMissingFile() {
        assertRefused(dir.resolve("absent.safetensors"), "no such file");
    }
}
