package dev.jclip.server;

import java.io.IOException;
import java.util.Map;

/** {@code GET /v1/images/{id}}: the thumbnail of indexed image {@code id}; any other id is a 404. */
final class ImagesApi implements Endpoint {
    static final String PREFIX = "/v1/images/";

    private final Thumbnails thumbnails;   // null without an index

    ImagesApi(Thumbnails thumbnails) {
        this.thumbnails = thumbnails;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        if (thumbnails == null) {
            throw ApiException.notFound("no image index is loaded; start the server with --index INDEX");
        }
        String id = call.path().substring(PREFIX.length());
        if (!id.matches("[0-9]{1,9}")) {
            throw ApiException.notFound("no indexed image '" + id + "' (images are addressed by the id search returns)");
        }
        byte[] jpeg = thumbnails.jpeg(Integer.parseInt(id));
        call.respond(200, "image/jpeg", jpeg, Map.of("Cache-Control", "private, max-age=3600"));
    }
}
