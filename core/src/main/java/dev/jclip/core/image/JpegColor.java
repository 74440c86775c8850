package dev.jclip.core.image;

import org.w3c.dom.Node;

import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import java.awt.image.Raster;
import java.io.IOException;

/**
 * JPEG colour handled the way Pillow (libjpeg) does, not the way ImageIO does.
 *
 * <p>ImageIO applies an embedded ICC profile when it decodes to sRGB, so a photo with a camera profile
 * comes out several levels (tens, in saturated areas) away from what Pillow gives, which ignores
 * profiles. So JPEGs are read as raw components ({@code readRaster}: the decoder's output before any
 * colour conversion) and converted here with libjpeg's own fixed-point YCbCr → RGB arithmetic.
 */
final class JpegColor {
    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        // jdcolor.c build_ycc_rgb_table
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegColor() {
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Decodes image 0 of a JPEG reader to RGB as Pillow's {@code convert("RGB")} would. */
    static RgbImage decode(ImageReader reader, String name) throws IOException {
        boolean rgbComponents = storesRgb(reader.getImageMetadata(0));
        Raster raw = reader.readRaster(0, null);
        int w = raw.getWidth();
        int h = raw.getHeight();
        int bands = raw.getNumBands();
        byte[] rgb = new byte[w * h * 3];
        int[] px = new int[bands];
        if (bands == 1) {
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) raw.getSample(x + raw.getMinX(), y + raw.getMinY(), 0);
                }
            }
        } else if (bands == 3) {
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    raw.getPixel(x + raw.getMinX(), y + raw.getMinY(), px);
                    if (rgbComponents) {
                        rgb[o] = (byte) px[0];
                        rgb[o + 1] = (byte) px[1];
                        rgb[o + 2] = (byte) px[2];
                    } else {
                        int yy = px[0], cb = px[1], cr = px[2];
                        rgb[o] = (byte) clamp(yy + CR_R[cr]);
                        rgb[o + 1] = (byte) clamp(yy + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
                        rgb[o + 2] = (byte) clamp(yy + CB_B[cb]);
                    }
                }
            }
        } else {
            throw new ImageDecodeException(name + ": a " + bands + "-component (CMYK/YCCK) JPEG; convert it to RGB first");
        }
        return new RgbImage(w, h, rgb);
    }

    /**
     * libjpeg's rule for a 3-component JPEG: YCbCr if it has a JFIF marker; otherwise an Adobe marker's
     * transform flag decides (0 = RGB); otherwise component ids 'R','G','B' mean RGB.
     */
    private static boolean storesRgb(IIOMetadata metadata) {
        if (metadata == null) {
            return false;
        }
        Node root = metadata.getAsTree("javax_imageio_jpeg_image_1.0");
        if (find(root, "app0JFIF") != null) {
            return false;
        }
        Node adobe = find(root, "app14Adobe");
        if (adobe != null) {
            Node transform = adobe.getAttributes().getNamedItem("transform");
            return transform != null && "0".equals(transform.getNodeValue());
        }
        Node sof = find(root, "sof");
        if (sof == null) {
            return false;
        }
        StringBuilder ids = new StringBuilder();
        for (Node c = sof.getFirstChild(); c != null; c = c.getNextSibling()) {
            Node id = c.getAttributes().getNamedItem("componentId");
            if (id != null) {
                ids.append((char) Integer.parseInt(id.getNodeValue()));
            }
        }
        return ids.toString().equals("RGB");
    }

    private static Node find(Node node, String name) {
        if (node.getNodeName().equals(name)) {
            return node;
        }
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            Node f = find(c, name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }
}
