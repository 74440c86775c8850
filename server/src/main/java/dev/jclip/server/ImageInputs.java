package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.image.ImageLoader;
import dev.jclip.core.image.RgbImage;

import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Images arriving in requests: base64 (or a {@code data:} URL, as a browser's FileReader gives) or
 * raw upload bytes, refused above the pixel limit before decoding, decoded and preprocessed on the
 * request's thread. At most one decode per core runs at a time: a decoded camera photo is over
 * 100 MB, and many at once would exhaust the heap.
 */
final class ImageInputs {
    private final ClipModel clip;
    private final long maxPixels;
    private final Semaphore decoders = new Semaphore(Runtime.getRuntime().availableProcessors());

    ImageInputs(ClipModel clip, long maxPixels) {
        this.clip = clip;
        this.maxPixels = maxPixels;
    }

    /** The pixel tensor [3, S, S] of an encoded image; {@code name} says in errors which input it was. */
    float[] pixels(byte[] encoded, String name) {
        if (!clip.hasVision()) {
            throw ApiException.badRequest("the served model is a text encoder only; it cannot embed images");
        }
        return decoded(encoded, name, clip::preprocess);
    }

    /** Decodes under the pixel limit and hands the image to {@code use} while a decode permit is held. */
    <T> T decoded(byte[] encoded, String name, Function<RgbImage, T> use) {
        decoders.acquireUninterruptibly();
        try {
            return use.apply(ImageLoader.decode(encoded, name, maxPixels));
        } finally {
            decoders.release();
        }
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
