package dev.jclip.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The search page: plain HTML, CSS and JavaScript from the jar, read once. They hold no data, so they
 * are served without the token (a browser cannot attach one to a page load); the page asks for the
 * token and sends it with every API call.
 */
final class StaticFiles implements Endpoint {
    private record Asset(String type, byte[] bytes) {
    }

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/style.css", "style.css");
    private static final Map<String, Asset> ASSETS = load();
    /** Scripts and styles from this server only; images also from blob: URLs the page makes of fetched thumbnails. */
    private static final String CSP = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'";

    /** The paths the page is served at. */
    static Set<String> paths() {
        return FILES.keySet();
    }

    private static Map<String, Asset> load() {
        HashMap<String, Asset> m = new HashMap<>();
        FILES.forEach((path, name) -> {
            try (InputStream in = StaticFiles.class.getResourceAsStream("web/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the jar lacks web/" + name);
                }
                String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
                m.put(path, new Asset(type, in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return Map.copyOf(m);
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        Asset a = ASSETS.get(call.path());
        call.respond(200, a.type(), a.bytes(), Map.of("Content-Security-Policy", CSP, "Cache-Control", "no-cache",
                "Referrer-Policy", "no-referrer"));
    }
}
