package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.image.ImageLoader;
import dev.jclip.core.image.RgbImage;

import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Images arriving in requests: base64 (or a {@code data:} URL, as a browser's FileReader gives) or
 * raw upload bytes, refused above the pixel limit before decoding, then decoded and preprocessed on a
 * pool of platform threads, one per core. The pool bounds memory (a decoded camera photo is over
 * 100 MB, and many at once would exhaust the heap) and keeps decoding off the virtual threads'
 * carriers: a JPEG decode runs in native code, which pins its carrier, and two slow ones used to
 * stop every other request, {@code /healthz} included, until they finished. The request's virtual
 * thread waits for the result without holding a carrier.
 */
final class ImageInputs implements AutoCloseable {
    private final ClipModel clip;
    private final long maxPixels;
    private final ExecutorService decoders;

    ImageInputs(ClipModel clip, long maxPixels) {
        this.clip = clip;
        this.maxPixels = maxPixels;
        AtomicInteger n = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "clip-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The pixel tensor [3, S, S] of an encoded image; {@code name} says in errors which input it was. */
    float[] pixels(byte[] encoded, String name) {
        if (!clip.hasVision()) {
            throw ApiException.badRequest("the served model is a text encoder only; it cannot embed images");
        }
        return decoded(encoded, name, clip::preprocess);
    }

    /** Decodes under the pixel limit on the decoding pool and hands the image to {@code use} there. */
    <T> T decoded(byte[] encoded, String name, Function<RgbImage, T> use) {
        return Waiting.result(decoders.submit(() -> use.apply(ImageLoader.decode(encoded, name, maxPixels))),
                "the image to be decoded");
    }

    @Override
    public void close() {
        decoders.shutdownNow();
    }

    /** The bytes of a base64 field; a {@code data:...;base64,} prefix and whitespace are allowed. */
    static byte[] base64(Object value, String field) {
        if (!(value instanceof String s)) {
            throw ApiException.badRequest(field + " must be a base64 string");
        }
        if (s.startsWith("data:")) {
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
                throw ApiException.badRequest(field + " is a data: URL but not a base64 one");
            }
            s = s.substring(comma + 1);
        }
        if (s.chars().anyMatch(Character::isWhitespace)) {
            s = s.replaceAll("\\s+", "");
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(s);
            if (bytes.length == 0) {
                throw ApiException.badRequest(field + " is empty");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + " is not valid base64 (" + e.getMessage() + ")");
        }
    }
}
