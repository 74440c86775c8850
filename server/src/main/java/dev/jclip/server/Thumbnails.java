package dev.jclip.server;

import dev.jclip.core.image.ImageDecodeException;
import dev.jclip.core.image.ImageLimits;
import dev.jclip.core.image.ImageLoader;
import dev.jclip.core.image.PillowBicubic;
import dev.jclip.core.image.RgbImage;
import dev.jclip.core.index.ImageIndex;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JPEG thumbnails of indexed images, by entry number, and nothing else: a path is only ever built
 * from an index entry, and one that resolves (symbolic links included) outside the indexed folder
 * is refused. Thumbnails are cached up to {@value #CACHE_BYTES} bytes.
 */
final class Thumbnails {
    static final int SIZE = 256;
    private static final long CACHE_BYTES = 64L << 20;

    private final IndexHolder indexes;
    private int cachedGeneration;
    private final Path root;        // the indexed folder, real path
    private final ImageInputs images;
    private final Map<Integer, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedBytes;

    Thumbnails(IndexHolder indexes, Path imagesDir, ImageInputs images) throws IOException {
        this.indexes = indexes;
        this.root = imagesDir.toRealPath();
        this.images = images;
    }

    /** The JPEG thumbnail of entry {@code id}; 404 for an id that is not an entry or a file that is gone. */
    byte[] jpeg(int id) {
        ImageIndex index = indexes.current();
        if (id < 0 || id >= index.size()) {
            throw ApiException.notFound("no indexed image " + id + " (the index holds 0.." + (index.size() - 1) + ")");
        }
        synchronized (cache) {
            if (cachedGeneration != indexes.generation()) {
                cache.clear(); // a rebuilt index numbers its entries anew
                cachedBytes = 0;
                cachedGeneration = indexes.generation();
            }
            byte[] hit = cache.get(id);
            if (hit != null) {
                return hit;
            }
        }
        byte[] jpeg;
        try {
            jpeg = images.decoded(read(index, id), index.path(id), Thumbnails::encode);
        } catch (ImageDecodeException e) {
            throw ApiException.notFound("indexed image " + id + " cannot be decoded any more: " + e.getMessage());
        }
        synchronized (cache) {
            if (cache.put(id, jpeg) == null) {
                cachedBytes += jpeg.length;
            }
            var it = cache.values().iterator();
            while (cachedBytes > CACHE_BYTES && it.hasNext()) {
                cachedBytes -= it.next().length;
                it.remove();
            }
        }
        return jpeg;
    }

    private byte[] read(ImageIndex index, int id) {
        Path p = root.resolve(index.path(id)).normalize();
        try {
            Path real = p.toRealPath();
            if (!p.startsWith(root) || !real.startsWith(root)) {
                throw ApiException.notFound("indexed image " + id + " is outside the indexed folder");
            }
            return ImageLoader.readFile(real, ImageLimits.DEFAULT);
        } catch (ImageDecodeException e) {
            throw ApiException.notFound("indexed image " + id + " cannot be read: " + e.getMessage());
        } catch (IOException e) {
            throw ApiException.notFound("indexed image " + id + " (" + index.path(id) + ") cannot be read; rebuild the index");
        }
    }

    private static byte[] encode(RgbImage image) {
        double scale = Math.min(1.0, (double) SIZE / Math.max(image.width(), image.height()));
        int w = Math.max(1, (int) Math.round(image.width() * scale));
        int h = Math.max(1, (int) Math.round(image.height() * scale));
        RgbImage small = scale < 1 ? PillowBicubic.resize(image, w, h) : image;
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        byte[] rgb = small.rgb();
        for (int i = 0; i < bgr.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(bi, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
