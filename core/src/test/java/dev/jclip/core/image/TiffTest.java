package dev.jclip.core.image;

import dev.jclip.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * TIFF against what Pillow (libtiff) decodes: every compression photo tools write (none, LZW,
 * Deflate, PackBits, JPEG), 8- and 16-bit samples, grey, palette, RGBA and CMYK; every pixel equal.
 * And damaged files: each refused with a message naming the file.
 */
class TiffTest {
    @TempDir
    Path dir;

    private static final List<String> FIXTURES = List.of("rgb_raw", "rgb_tiff_lzw", "rgb_tiff_adobe_deflate", "rgb_packbits",
            "rgb_jpeg", "l_lzw", "rgba_lzw", "cmyk_lzw", "p_lzw", "grey16", "rgb16");

    @Test
    void everyFixtureDecodesToPillowsPixelsExactly() {
        for (String name : FIXTURES) {
            ImageAssertions.assertSamePixels(Fixtures.tiff(name + ".tif"), Fixtures.tiff(name + ".expected.png"));
        }
    }

    private void assertRefused(byte[] bytes, String fileName, String... fragments) throws IOException {
        Path file = dir.resolve(fileName);
        Files.write(file, bytes);
        ImageAssertions.assertRefused(file, fragments);
    }

    @Test
    void truncatedAndLyingFilesAreRefused() throws IOException {
        for (String name : List.of("rgb_raw", "rgb_tiff_lzw", "rgb_jpeg")) {
            byte[] whole = Files.readAllBytes(Fixtures.tiff(name + ".tif"));
            for (int cut : new int[] {6, 20, whole.length / 2}) {
                assertRefused(Arrays.copyOf(whole, cut), name + "-cut" + cut + ".tif", "TIFF");
            }
        }
        // Width and height tags rewritten to 60000 × 60000 (3.6 G pixels): refused from the header.
        byte[] raw = Files.readAllBytes(Fixtures.tiff("rgb_raw.tif"));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int ifd = b.getInt(4);
        for (int i = 0; i < b.getShort(ifd); i++) {
            int e = ifd + 2 + 12 * i;
            int tag = b.getShort(e) & 0xffff;
            if (tag == 256 || tag == 257) {
                b.putShort(e + 8, (short) 60000);
            }
        }
        assertRefused(raw, "bomb.tif", "pixels exceeds the limit");
    }
}
