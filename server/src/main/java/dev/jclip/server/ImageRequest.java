package dev.jclip.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a request that carries one image and some fields, sent either as JSON
 * ({@code {"image": "<base64>", ...}}) or as a {@code multipart/form-data} upload (a file part named
 * {@code image}, other parts as fields; a field given more than once keeps every value).
 */
record ImageRequest(byte[] image, Map<String, Object> fields, boolean form) {
    static ImageRequest read(HttpCall call, boolean imageRequired) throws IOException {
        String type = call.mediaType();
        if (type.equals("multipart/form-data")) {
            byte[] image = null;
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Multipart.Part p : call.multipart()) {
                if (p.name().equals("image")) {
                    if (image != null) {
                        throw ApiException.badRequest("more than one image part; send one image per request");
                    }
                    image = p.data();
                } else {
                    fields.merge(p.name(), p.text(), (a, b) -> {
                        List<Object> all = a instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(List.of(a));
                        all.add(b);
                        return all;
                    });
                }
            }
            if (image != null && image.length == 0) {
                throw ApiException.badRequest("the image part is empty");
            }
            return checked(new ImageRequest(image, fields, true), imageRequired);
        }
        if (type.equals("application/json")) {
            Map<String, Object> body = call.json();
            Object b64 = body.remove("image");
            return checked(new ImageRequest(b64 == null ? null : ImageInputs.base64(b64, "image"), body, false), imageRequired);
        }
        throw ApiException.unsupportedMediaType("send application/json with a base64 image, or a multipart/form-data upload (got "
                + (type.isEmpty() ? "no Content-Type" : type) + ")");
    }

    private static ImageRequest checked(ImageRequest r, boolean imageRequired) {
        if (imageRequired && r.image() == null) {
            throw ApiException.badRequest("image is required (a base64 \"image\" field, or an uploaded file part named image)");
        }
        return r;
    }
}
