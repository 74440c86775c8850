package dev.jclip.core.image;

import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebP against what Pillow (libwebp) decodes from the same files: lossy at several qualities and odd
 * sizes, with alpha, lossless, animated, 1×1; every pixel must be equal. And damaged files: each
 * refused with a message naming the file, never another exception.
 */
class WebpDecoderTest {
    @TempDir
    Path dir;

    private static final List<String> FIXTURES = List.of("lossy_q5", "lossy_q40_m6", "lossy_q95", "lossy_alpha",
            "lossless_alpha", "lossy_1x1", "animated");

    @Test
    void everyFixtureDecodesToPillowsPixelsExactly() throws IOException {
        for (String name : FIXTURES) {
            ImageAssertions.assertSamePixels(Fixtures.webp(name + ".webp"), Fixtures.webp(name + ".expected.png"));
        }
    }

    private void assertRefused(byte[] bytes, String fileName, String... fragments) throws IOException {
        Path file = dir.resolve(fileName);
        Files.write(file, bytes);
        ImageAssertions.assertRefused(file, fragments);
    }

    @Test
    void truncatedFilesAreRefusedAtEveryCut() throws IOException {
        for (String name : List.of("lossy_q95", "lossless_alpha", "animated")) {
            byte[] whole = Files.readAllBytes(Fixtures.webp(name + ".webp"));
            for (int cut : new int[] {12, 19, 30, whole.length / 2, whole.length - 40}) {
                assertRefused(Arrays.copyOf(whole, cut), name + "-cut" + cut + ".webp", "WebP");
            }
        }
    }

    @Test
    void everyByteDamagedInTurnGivesAnImageOrAClearError() throws IOException {
        // Flipping any single byte must never throw anything but ImageDecodeException (or decode).
        for (String name : List.of("lossy_q40_m6", "lossless_alpha")) {
            byte[] whole = Files.readAllBytes(Fixtures.webp(name + ".webp"));
            for (int i = 0; i < whole.length; i += 7) {
                byte[] bad = whole.clone();
                bad[i] ^= (byte) 0x5a;
                try {
                    ImageLoader.decode(bad, name + "@" + i);
                } catch (ImageDecodeException e) {
                    assertTrue(e.getMessage().startsWith(name + "@" + i + ": "), e.getMessage());
                }
            }
        }
    }

    @Test
    void headersThatLieAboutTheSizeAreRefusedBeforeDecoding() throws IOException {
        // A 16383×16383 lossless header (268 M pixels) over a few bytes of data: over the pixel limit.
        ByteBuffer vp8l = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
        vp8l.put((byte) 0x2f).putInt(16382 | 16382 << 14);
        assertRefused(riff("VP8L", vp8l.array()), "bomb.webp", "pixels exceeds the limit");
        // An animation's VP8X canvas of 2^24 × 2^24 around a 1×1 frame.
        byte[] small = Files.readAllBytes(Fixtures.webp("lossy_1x1.webp"));
        byte[] vp8 = Arrays.copyOfRange(small, 20, small.length);
        byte[] vp8x = new byte[10];
        vp8x[0] = 0x02; // animated
        vp8x[4] = vp8x[5] = vp8x[6] = vp8x[7] = vp8x[8] = vp8x[9] = (byte) 0xff;
        ByteBuffer anmf = ByteBuffer.allocate(16 + 8 + vp8.length + (vp8.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        anmf.put(new byte[16]).put("VP8 ".getBytes(StandardCharsets.ISO_8859_1)).putInt(vp8.length).put(vp8);
        assertRefused(riff2("VP8X", vp8x, "ANMF", anmf.array()), "canvas.webp", "pixels exceeds the limit");
        // A non-animated VP8X whose canvas differs from its image.
        byte[] vp8xSmall = new byte[10];
        vp8xSmall[4] = 9; // 10 × 1
        assertRefused(riff2("VP8X", vp8xSmall, "VP8 ", vp8), "mismatch.webp", "header says 10x1");
        // A RIFF size larger than the file, and a chunk that runs past it.
        byte[] lying = small.clone();
        lying[4] = (byte) 0x7f;
        assertRefused(lying, "riff.webp", "truncated WebP");
        byte[] longChunk = small.clone();
        longChunk[16] = (byte) 0x7f;
        assertRefused(longChunk, "chunk.webp", "truncated WebP");
        assertRefused(riff("VP8 ", new byte[] {1, 2, 3}), "short.webp", "not a VP8 key frame");
        assertRefused(riff("ICCP", new byte[8]), "noimage.webp", "no image data");
    }

    @Test
    void theFormatIsToldByContentAndTheExifChunkTurnsItUpright() throws IOException {
        byte[] webp = Files.readAllBytes(Fixtures.webp("lossy_q5.webp"));
        Path misnamed = dir.resolve("photo.jpg");
        Files.write(misnamed, webp);
        assertEquals(75, ImageLoader.load(misnamed).width());
    }

    private static byte[] riff(String type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + payload.length + (payload.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(b.capacity() - 8).put("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        b.put(type.getBytes(StandardCharsets.ISO_8859_1)).putInt(payload.length).put(payload);
        return b.array();
    }

    private static byte[] riff2(String type1, byte[] payload1, String type2, byte[] payload2) {
        int n = 12 + 8 + payload1.length + (payload1.length & 1) + 8 + payload2.length + (payload2.length & 1);
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(n - 8).put("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        b.put(type1.getBytes(StandardCharsets.ISO_8859_1)).putInt(payload1.length).put(payload1);
        if ((payload1.length & 1) == 1) {
            b.put((byte) 0);
        }
        b.put(type2.getBytes(StandardCharsets.ISO_8859_1)).putInt(payload2.length).put(payload2);
        return b.array();
    }
}
