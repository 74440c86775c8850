package dev.jclip.core.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * All eight EXIF orientations against {@code PIL.ImageOps.exif_transpose}'s transposes, written out by
 * hand for a 3×2 image (a b c / d e f), and the places each format keeps the tag.
 */
class ExifOrientationTest {
    /** The upright pixels, row by row, for orientations 1..8 of "abc/def". */
    private static final String[] UPRIGHT = {
            null,
            "abc/def",    // 1: as stored
            "cba/fed",    // 2: FLIP_LEFT_RIGHT
            "fed/cba",    // 3: ROTATE_180
            "def/abc",    // 4: FLIP_TOP_BOTTOM
            "ad/be/cf",   // 5: TRANSPOSE
            "da/eb/fc",   // 6: ROTATE_270, i.e. 90° clockwise
            "fc/eb/da",   // 7: TRANSVERSE
            "cf/be/ad",   // 8: ROTATE_90, i.e. 90° counter-clockwise
    };

    private static BufferedImage abcdef() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < 6; i++) {
            int v = 'a' + i;
            img.setRGB(i % 3, i / 3, v << 16 | v << 8 | v);
        }
        return img;
    }

    private static String rows(RgbImage img) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < img.height(); y++) {
            if (y > 0) {
                s.append('/');
            }
            for (int x = 0; x < img.width(); x++) {
                s.append((char) img.get(x, y, 0));
            }
        }
        return s.toString();
    }

    /** A TIFF structure holding one IFD with the orientation tag, in either byte order. */
    static byte[] exif(int orientation, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(26).order(order);
        b.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
        b.putShort((short) 42).putInt(8);
        b.putShort((short) 1);                                           // one entry
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1);        // Orientation, SHORT, count 1
        b.putShort((short) orientation).putShort((short) 0);
        b.putInt(0);                                                     // no next IFD
        return b.array();
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** {@code png} with a chunk inserted before IEND (the last 12 bytes). */
    static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + data.length);
        chunk.putInt((int) crc.getValue());
        int iend = png.length - 12;
        byte[] out = Arrays.copyOf(png, png.length + chunk.capacity());
        System.arraycopy(chunk.array(), 0, out, iend, chunk.capacity());
        System.arraycopy(png, iend, out, iend + chunk.capacity(), 12);
        return out;
    }

    @Test
    void everyOrientationFromAPngExifChunkInBothByteOrders() throws IOException {
        byte[] png = png(abcdef());
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (int o = 1; o <= 8; o++) {
                RgbImage img = ImageLoader.decode(withPngChunk(png, "eXIf", exif(o, order)), "o" + o + ".png");
                assertEquals(UPRIGHT[o], rows(img), "orientation " + o + ", " + order);
            }
        }
    }

    @Test
    void aJpegKeepsItInApp1() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR), "jpeg", out);
        byte[] jpeg = out.toByteArray();
        byte[] tiff = exif(6, ByteOrder.BIG_ENDIAN);
        ByteBuffer app1 = ByteBuffer.allocate(4 + 6 + tiff.length);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + tiff.length)).put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1)).put(tiff);
        byte[] withExif = new byte[jpeg.length + app1.capacity()];
        System.arraycopy(jpeg, 0, withExif, 0, 2);
        System.arraycopy(app1.array(), 0, withExif, 2, app1.capacity());
        System.arraycopy(jpeg, 2, withExif, 2 + app1.capacity(), jpeg.length - 2);
        assertEquals(6, ExifOrientation.of(withExif, ImageFormat.JPEG));
        RgbImage img = ImageLoader.decode(withExif, "portrait.jpg");
        assertEquals(8, img.width(), "turned upright: 16x8 stored, 8x16 shown");
        assertEquals(16, img.height());
    }

    @Test
    void xmpOrientationCountsWhenThereIsNoExif() throws IOException {
        byte[] xmp = "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta><rdf:Description tiff:Orientation=\"3\"/></x:xmpmeta>"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(UPRIGHT[3], rows(ImageLoader.decode(withPngChunk(png(abcdef()), "iTXt", xmp), "xmp.png")));
    }

    @Test
    void aWebpKeepsItInAnExifChunk() {
        byte[] tiff = exif(8, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer riff = ByteBuffer.allocate(12 + 8 + tiff.length).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(4 + 8 + tiff.length).put("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        riff.put("EXIF".getBytes(StandardCharsets.ISO_8859_1)).putInt(tiff.length).put(tiff);
        assertEquals(8, ExifOrientation.of(riff.array(), ImageFormat.WEBP));
    }

    @Test
    void aTiffKeepsItInItsFirstIfd() {
        assertEquals(5, ExifOrientation.of(exif(5, ByteOrder.BIG_ENDIAN), ImageFormat.TIFF));
    }

    @Test
    void malformedOrOutOfRangeTagsLeaveTheImageAsStored() throws IOException {
        byte[] png = png(abcdef());
        byte[] bad = exif(6, ByteOrder.LITTLE_ENDIAN);
        bad[4] = (byte) 200; // first IFD offset past the end
        assertEquals(UPRIGHT[1], rows(ImageLoader.decode(withPngChunk(png, "eXIf", bad), "bad-offset.png")));
        assertEquals(UPRIGHT[1], rows(ImageLoader.decode(withPngChunk(png, "eXIf", exif(9, ByteOrder.LITTLE_ENDIAN)), "nine.png")));
        assertEquals(UPRIGHT[1], rows(ImageLoader.decode(withPngChunk(png, "eXIf", Arrays.copyOf(exif(6, ByteOrder.BIG_ENDIAN), 13)), "cut.png")));
        assertEquals(UPRIGHT[1], rows(ImageLoader.decode(withPngChunk(png, "eXIf", new byte[0]), "empty.png")));
    }
}
