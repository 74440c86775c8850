package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.lucene.IndexSearch;
import dev.jclip.core.tokenizer.ClipTokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/search?q=text&k=10} and {@code POST /v1/search} with an image (JSON base64 or an
 * upload) or {@code "text"}: the k nearest indexed images, best first, each with the URL of its
 * thumbnail.
 */
final class SearchApi implements Endpoint {
    static final int MAX_K = 1000;

    private final ClipModel clip;
    private final String modelName;
    private final IndexHolder indexes;
    private final InferenceQueue queue;
    private final ImageInputs images;

    SearchApi(ClipModel clip, String modelName, IndexHolder indexes, InferenceQueue queue, ImageInputs images) {
        this.clip = clip;
        this.modelName = modelName;
        this.indexes = indexes;
        this.queue = queue;
        this.images = images;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        IndexSearch index = indexes.currentSearch();
        if (index == null) {
            throw ApiException.notFound("no image index is loaded; start the server with --index INDEX");
        }
        int k;
        String text = null;   // the query is a text, or
        byte[] image = null;  // an encoded image
        if (call.method().equals("GET")) {
            String q = call.queryParam("q");
            if (q == null || ClipTokenizer.isBlank(q)) {
                throw ApiException.badRequest("q, the text to search for, is required and must not be blank");
            }
            k = Requests.positiveInt(call.queryParam("k"), "k", 10, MAX_K);
            text = Requests.text(q, Requests.MAX_TEXT_CHARS, "q");
        } else {
            ImageRequest req = ImageRequest.read(call, false);
            k = Requests.positiveInt(req.fields().get("k"), "k", 10, MAX_K);
            Object t = req.fields().get("text");
            if ((req.image() == null) == (t == null)) {
                throw ApiException.badRequest("send either an image or a text to search with");
            }
            if (req.image() != null) {
                image = req.image();
            } else if (t instanceof String s && !ClipTokenizer.isBlank(s)) {
                text = Requests.text(s, Requests.MAX_TEXT_CHARS, "text");
            } else {
                throw ApiException.badRequest("text must be a non-blank string");
            }
        }

        call.admit();
        float[] query = image != null
                ? queue.embedPixels(List.of(images.pixels(image, "image"))).getFirst()
                : queue.embedTexts(List.of(text)).getFirst();
        List<Object> results = new ArrayList<>();
        for (ImageIndex.Hit hit : index.search(query, k)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", hit.id());
            r.put("path", hit.path());
            r.put("score", hit.score());
            r.put("thumbnail", "/v1/images/" + hit.id());
            results.add(r);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("model", modelName);
        response.put("results", results);
        call.json(200, response);
    }
}
