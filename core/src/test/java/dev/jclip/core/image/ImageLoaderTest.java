package dev.jclip.core.image;

import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageLoaderTest {
    @TempDir
    Path dir;

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "ImageIO can write " + format);
        return out.toByteArray();
    }

    private void assertRefused(Path file, String... fragments) {
        ImageAssertions.assertRefused(file, fragments);
    }

    @Test
    void alphaIsDroppedNotComposited() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x000a141e);          // fully transparent, colour (10, 20, 30)
        img.setRGB(1, 0, 0x80ff8040);          // half transparent
        RgbImage rgb = ImageLoader.decode(encode(img, "png"), "rgba.png");
        assertEquals(10, rgb.get(0, 0, 0));
        assertEquals(20, rgb.get(0, 0, 1));
        assertEquals(30, rgb.get(0, 0, 2));
        assertEquals(255, rgb.get(1, 0, 0));
        assertEquals(128, rgb.get(1, 0, 1));
        assertEquals(64, rgb.get(1, 0, 2));
    }

    @Test
    void greyIsCopiedToAllChannelsWithoutGammaConversion() throws IOException {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 100);
        RgbImage rgb = ImageLoader.decode(encode(img, "png"), "grey.png");
        // ImageIO's getRGB would colour-convert linear grey 100 to about 170; Pillow copies the value.
        assertEquals(100, rgb.get(0, 0, 0));
        assertEquals(100, rgb.get(0, 0, 1));
        assertEquals(100, rgb.get(0, 0, 2));
    }

    @Test
    void sixteenBitGreyClampsAsPillowDoes() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 200);
        img.getRaster().setSample(1, 0, 0, 1000);
        RgbImage rgb = ImageLoader.decode(encode(img, "png"), "grey16.png");
        assertEquals(200, rgb.get(0, 0, 0));
        assertEquals(255, rgb.get(1, 0, 2));
    }

    @Test
    void paletteImagesLookUpTheirColours() throws IOException {
        Path palette = Fixtures.moreImages("palette_color.png");
        BufferedImage decoded = ImageIO.read(palette.toFile());
        RgbImage rgb = ImageLoader.load(palette);
        assertEquals(10, rgb.width());
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                int argb = decoded.getRGB(x, y); // palette entries need no colour conversion
                assertEquals((argb >> 16) & 0xff, rgb.get(x, y, 0));
                assertEquals((argb >> 8) & 0xff, rgb.get(x, y, 1));
                assertEquals(argb & 0xff, rgb.get(x, y, 2));
            }
        }
        // A 10×10 image is upscaled through the same bicubic filter.
        float[] px = new ImagePreprocessor(PreprocessConfig.clipDefaults(224)).pixelValues(rgb);
        assertEquals(3 * 224 * 224, px.length);
    }

    @Test
    void gifAndBmpDecode() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x102030);
        for (String format : new String[]{"bmp", "gif"}) {
            RgbImage rgb = ImageLoader.decode(encode(img, format), "x." + format);
            assertEquals(3, rgb.width(), format);
            assertEquals(2, rgb.height(), format);
        }
        RgbImage bmp = ImageLoader.decode(encode(img, "bmp"), "x.bmp");
        assertEquals(0x10, bmp.get(2, 1, 0));
        assertEquals(0x20, bmp.get(2, 1, 1));
        assertEquals(0x30, bmp.get(2, 1, 2));
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path p = dir.resolve("empty.jpg");
        Files.write(p, new byte[0]);
        assertRefused(p, "empty file (0 bytes)");
    }

    @Test
    void refusesATruncatedJpeg() throws IOException {
        byte[] jpeg = Files.readAllBytes(Fixtures.tiny("images/rocket.jpg"));
        Path p = dir.resolve("cut.jpg");
        Files.write(p, Arrays.copyOf(jpeg, jpeg.length / 2));
        assertRefused(p, "truncated or corrupt");
    }

    @Test
    void refusesATruncatedPng() throws IOException {
        byte[] png = Files.readAllBytes(Fixtures.tiny("images/camera.png"));
        Path p = dir.resolve("cut.png");
        Files.write(p, Arrays.copyOf(png, png.length / 2));
        assertRefused(p, "truncated or corrupt");
    }

    @Test
    void refusesANonImage() throws IOException {
        Path p = dir.resolve("notes.png");
        Files.writeString(p, "these are not pixels\n");
        assertRefused(p, "not a recognised image");
    }

    @Test
    void refusesADecompressionBombBeforeDecoding() throws IOException {
        Path p = dir.resolve("bomb.png");
        Files.write(p, pngHeaderOnly(20_000, 20_000));
        assertRefused(p, "20000x20000", "exceeds the limit of 178956970");
    }

    @Test
    void refusesAMissingFile() {
        assertRefused(dir.resolve("nowhere.jpg"), "no such file");
    }

    /** A PNG signature and IHDR claiming the given size, with no pixel data at all. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 17 + 4);
        b.put(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void filesOverTheSizeLimitAreNotRead() throws IOException {
        // A 3 GB sparse file that starts like a PNG: refused from its size, before a byte is read.
        Path big = dir.resolve("big.png");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
            f.setLength(3L << 30);
        }
        assertRefused(big, "larger than the image file size limit of 512 MiB", "3221225472 bytes");
        // A device reports no size: it is read only up to the limit.
        Path zero = Path.of("/dev/zero");
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageLoader.load(zero, ImageLimits.DEFAULT.withMaxFileBytes(1 << 20)));
        assertEquals("/dev/zero: larger than the image file size limit of 1 MiB (at least 1048577 bytes); not read", e.getMessage());
        assertRefused(dir, "is a folder, not an image file");
    }

    @Test
    void aJpegThatRepeatsItsLastScanIsRefusedBeforeDecoding() throws IOException {
        byte[] progressive = TestImages.progressiveJpeg(new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR));
        int scans = JpegScans.count(progressive, 1000);
        assertTrue(scans > 1 && scans < 20, "a progressive JPEG has a handful of scans: " + scans);
        assertEquals(64, ImageLoader.decode(progressive, "progressive.jpg").width());

        // Repeat the last scan (from its SOS marker to EOI) until there are 150.
        int lastSos = -1;
        for (int i = progressive.length - 2; i > 1 && lastSos < 0; i--) {
            if ((progressive[i] & 0xff) == 0xFF && (progressive[i + 1] & 0xff) == 0xDA) {
                lastSos = i;
            }
        }
        byte[] scan = Arrays.copyOfRange(progressive, lastSos, progressive.length - 2);
        ByteArrayOutputStream hostile = new ByteArrayOutputStream();
        hostile.write(progressive, 0, progressive.length - 2);
        for (int i = scans; i < 150; i++) {
            hostile.write(scan);
        }
        hostile.write(new byte[] {(byte) 0xFF, (byte) 0xD9});
        Path file = dir.resolve("repeated-scans.jpg");
        Files.write(file, hostile.toByteArray());
        assertRefused(file, "more than 100 scans");
    }

    @Test
    void formatsThatCannotBeDecodedInJavaAreNamedWithAWayOut() throws IOException {
        byte[] heic = new byte[64];
        System.arraycopy("\0\0\0\u0018ftypheic\0\0\0\0mif1heic".getBytes(StandardCharsets.ISO_8859_1), 0, heic, 0, 24);
        Path file = dir.resolve("IMG_0001.JPG"); // the extension lies; the content decides
        Files.write(file, heic);
        assertRefused(file, "HEIC/HEIF is not supported", "heif-convert");
        byte[] avif = heic.clone();
        System.arraycopy("avif".getBytes(StandardCharsets.ISO_8859_1), 0, avif, 8, 4);
        Files.write(file, avif);
        assertRefused(file, "AVIF is not supported", "avifdec");
        Files.write(file, new byte[] {(byte) 0xFF, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertRefused(file, "JPEG XL is not supported");
        Files.write(file, "II*\0\u0010\0\0\0CR\u0002\0".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(file, "camera RAW is not supported");
        Files.write(file, "hello, not an image".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(file, "not a recognised image (JPEG, PNG, GIF, BMP, TIFF or WebP)");
    }

    @Test
    void aPngNamedJpgIsDecodedAsThePngItIs() throws IOException {
        Path file = dir.resolve("actually-a-png.jpg");
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(2, 1, 0x102030);
        Files.write(file, encode(img, "png"));
        RgbImage rgb = ImageLoader.load(file);
        assertEquals(0x10, rgb.get(2, 1, 0));
        assertEquals(0x30, rgb.get(2, 1, 2));
    }

    @Test
    void aTruncatedCmykJpegIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.photos("images/cmyk.jpg"));
        Path cut = dir.resolve("cmyk-cut.jpg");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        assertRefused(cut, "truncated or corrupt JPEG");
    }

    @Test
    void aGifWithoutAColourTableIsGreyAsInPillow() {
        RgbImage rgb = ImageLoader.load(Fixtures.gif("no_colour_table.gif"));
        assertEquals(7, rgb.width());
        for (int i = 0; i < 21; i++) {
            int x = i % 7, y = i / 7;
            assertEquals(i, rgb.get(x, y, 0), "pixel " + i + " is its index as a grey level");
            assertEquals(rgb.get(x, y, 0), rgb.get(x, y, 2));
        }
    }
}
