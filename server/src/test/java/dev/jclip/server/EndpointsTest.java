package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.EmbeddingMath;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.zeroshot.Label;
import dev.jclip.core.zeroshot.PromptTemplates;
import dev.jclip.core.zeroshot.ZeroShotClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static dev.jclip.core.testing.JsonArrays.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint on the tiny model: the answers match the Java API's, and each refusal has its status. */
class EndpointsTest {
    private static TestServer s;
    private static final Path CAT = Fixtures.tiny("images/chelsea.png");
    private static final Path ROCKET = Fixtures.tiny("images/rocket.jpg");

    @BeforeAll
    static void start() throws IOException {
        s = TestServer.start(TestServer.options().withMaxInputs(8).withMaxPixels(300_000));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> data(TestServer.Reply r) {
        assertEquals(200, r.status(), r.text());
        return (List<Map<String, Object>>) r.json().get("data");
    }


    private static void assertError(TestServer.Reply r, int status, String type) {
        assertEquals(status, r.status(), r.text());
        assertEquals(type, r.errorType(), r.text());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void health() {
        TestServer.Reply r = s.get("/healthz");
        assertEquals(200, r.status());
        assertEquals("ok", r.json().get("status"));
        assertEquals(6L, r.json().get("images_indexed"));
    }

    @Test
    void healthReportsTheWarmUp() throws Exception {
        try (TestServer warming = TestServer.startWithoutIndex(TestServer.options())) {
            String state = "running";
            for (int i = 0; i < 200 && state.equals("running"); i++) {   // the tiny model's passes take milliseconds
                Thread.sleep(25);
                state = (String) warming.get("/healthz").json().get("warm_up");
            }
            // With -Dclip.simd=false the server does not warm up: the scalar kernels do not need it.
            assertEquals(dev.jclip.core.WarmUp.pays(TestServer.model()) ? "done" : "off", state,
                    "no request came, so every pass ran");
        }
        try (TestServer cold = TestServer.startWithoutIndex(TestServer.options().withWarmUp(false))) {
            assertEquals("off", cold.get("/healthz").json().get("warm_up"));
        }
    }

    @Test
    void textEmbeddingsAreTheModelsInOpenAiShape() {
        ClipModel clip = TestServer.model();
        TestServer.Reply r = s.postJson("/v1/embeddings", Map.of("input", List.of("a photo of a cat", "a rocket"), "model", "anything"));
        List<Map<String, Object>> data = data(r);
        assertEquals("list", r.json().get("object"));
        assertEquals("clip-tiny", r.json().get("model"));
        assertEquals(2, data.size());
        assertEquals("embedding", data.get(0).get("object"));
        assertEquals(1L, data.get(1).get("index"));
        assertArrayEquals(clip.encodeText("a photo of a cat"), floats(data.get(0).get("embedding")));
        assertArrayEquals(clip.encodeText("a rocket"), floats(data.get(1).get("embedding")));
        long tokens = clip.tokenize("a photo of a cat").length + clip.tokenize("a rocket").length;
        assertEquals(Map.of("prompt_tokens", tokens, "total_tokens", tokens), r.json().get("usage"));

        List<Map<String, Object>> one = data(s.postJson("/v1/embeddings", Map.of("input", "a rocket")));
        assertArrayEquals(clip.encodeText("a rocket"), floats(one.getFirst().get("embedding")));
    }

    @Test
    void imageEmbeddingsBase64AndNormalised() {
        ClipModel clip = TestServer.model();
        List<Map<String, Object>> data = data(s.postJson("/v1/embeddings", Map.of("input",
                List.of(Map.of("image", TestServer.base64(CAT)), "a cat", Map.of("image", "data:image/jpeg;base64," + TestServer.base64(ROCKET))))));
        assertArrayEquals(clip.encodeImage(CAT), floats(data.get(0).get("embedding")));
        assertArrayEquals(clip.encodeText("a cat"), floats(data.get(1).get("embedding")));
        assertArrayEquals(clip.encodeImage(ROCKET), floats(data.get(2).get("embedding")));

        Map<String, Object> b64 = data(s.postJson("/v1/embeddings", Map.of("input", "a cat", "encoding_format", "base64",
                "normalize", true))).getFirst();
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode((String) b64.get("embedding"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        assertArrayEquals(EmbeddingMath.normalized(clip.encodeText("a cat")), v);
    }

    @Test
    void embeddingsRefusals() {
        assertError(s.postJson("/v1/embeddings", Map.of("model", "x")), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", List.of())), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"))), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", List.of(List.of(1, 2)))), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", "x", "encoding_format", "hex")), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", "y".repeat(Requests.MAX_TEXT_CHARS + 1))), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", "x", "dimensions", 8)), 400, "invalid_request_error");
        assertError(s.postJson("/v1/embeddings", Map.of("input", List.of(Map.of("image", "not base64!")))), 400, "invalid_request_error");
        TestServer.Reply notImage = s.postJson("/v1/embeddings", Map.of("input", List.of(Map.of("image",
                Base64.getEncoder().encodeToString("hello, not an image".getBytes())))));
        assertError(notImage, 400, "invalid_image");
        assertTrue(notImage.errorMessage().contains("input[0].image"), notImage.errorMessage());
        // astronaut.png is 512x512 = 262,144 pixels: under the 300,000 limit; a 600x600 PNG is over it.
        TestServer.Reply big = s.postJson("/v1/embeddings", Map.of("input", List.of(Map.of("image", png(600, 600)))));
        assertError(big, 400, "invalid_image");
        assertTrue(big.errorMessage().contains("exceeds the limit of 300000"), big.errorMessage());
        assertError(s.post("/v1/embeddings", "text/plain", "{\"input\": \"x\"}".getBytes()), 415, "unsupported_media_type");
        assertError(s.post("/v1/embeddings", "application/json", "{\"input\": ".getBytes()), 400, "invalid_request_error");
        assertError(s.post("/v1/embeddings", "application/json", "[\"x\"]".getBytes()), 400, "invalid_request_error");
        assertError(s.post("/v1/embeddings", "application/json", new byte[]{'"', (byte) 0xff, '"'}), 400, "invalid_request_error");
    }

    @Test
    void bodyOverTheLimitIs413() throws IOException {
        try (TestServer small = TestServer.start(TestServer.options().withMaxBodyBytes(1000))) {
            assertError(small.postJson("/v1/embeddings", Map.of("input", "x".repeat(2000))), 413, "request_too_large");
            // Without a Content-Length the limit is found while reading.
            String chunked = small.raw("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + "800\r\n" + "x".repeat(0x800) + "\r\n0\r\n\r\n");
            assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked);
            assertEquals(200, small.postJson("/v1/embeddings", Map.of("input", "x")).status());
        }
    }

    private static String png(int w, int h) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
            return Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> labels(TestServer.Reply r) {
        assertEquals(200, r.status(), r.text());
        return (List<Map<String, Object>>) r.json().get("labels");
    }

    @Test
    void classifyAsJsonAndAsUploadMatchesTheApi() throws IOException {
        ClipModel clip = TestServer.model();
        List<String> names = List.of("cat", "dog", "rocket");
        List<Label> expected = new ZeroShotClassifier(clip, names, PromptTemplates.clip()).classify(clip.encodeImage(CAT));
        List<Map<String, Object>> json = labels(s.postJson("/v1/classify", Map.of("image", TestServer.base64(CAT), "labels", names)));
        List<Map<String, Object>> form = labels(s.postMultipart("/v1/classify", List.of(
                new TestServer.Field("image", "chelsea.png", Files.readAllBytes(CAT)), TestServer.Field.text("labels", "cat, dog,rocket"))));
        for (List<Map<String, Object>> got : List.of(json, form)) {
            assertEquals(3, got.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(expected.get(i).label(), got.get(i).get("label"));
                assertEquals(expected.get(i).probability(), ((Number) got.get(i).get("probability")).floatValue(), 1e-6);
            }
        }
        List<Label> none = new ZeroShotClassifier(clip, names, PromptTemplates.none()).classify(clip.encodeImage(CAT));
        List<Map<String, Object>> top1 = labels(s.postJson("/v1/classify", Map.of("image", TestServer.base64(CAT),
                "labels", "cat,dog,rocket", "templates", "none", "top", 1)));
        assertEquals(1, top1.size());
        assertEquals(none.getFirst().label(), top1.getFirst().get("label"));
        assertEquals(200, s.postJson("/v1/classify", Map.of("image", TestServer.base64(CAT), "labels", names,
                "templates", List.of("a photo of a {}.", "art of a {}"))).status());
    }

    private static long textsEmbedded() {
        return Long.parseLong(s.get("/metrics").text().lines().filter(l -> l.startsWith("clip_texts_embedded_total "))
                .findFirst().orElseThrow().split(" ")[1]);
    }

    @Test
    void labelEmbeddingsAreComputedOncePerLabel() {
        String cat = TestServer.base64(CAT);
        assertEquals(200, s.postJson("/v1/classify", Map.of("image", cat, "labels", List.of("a violin", "a tuba"))).status());
        long before = textsEmbedded();
        assertEquals(200, s.postJson("/v1/classify", Map.of("image", cat, "labels", List.of("a tuba", "a violin"))).status());
        assertEquals(before, textsEmbedded(), "known labels are not embedded again");
        assertEquals(200, s.postJson("/v1/classify", Map.of("image", cat, "labels", List.of("a tuba", "a harp"))).status());
        assertEquals(before + PromptTemplates.clip().templates().size(), textsEmbedded(), "only the new label's 80 prompts");
    }

    @Test
    void classifyRefusals() {
        String cat = TestServer.base64(CAT);
        assertError(s.postJson("/v1/classify", Map.of("image", cat)), 400, "invalid_request_error");
        assertError(s.postJson("/v1/classify", Map.of("labels", List.of("a"))), 400, "invalid_request_error");
        assertError(s.postJson("/v1/classify", Map.of("image", cat, "labels", " , ")), 400, "invalid_request_error");
        assertError(s.postJson("/v1/classify", Map.of("image", cat, "labels", "a,b,c,d,e,f,g,h,i")), 400, "invalid_request_error");
        assertError(s.postJson("/v1/classify", Map.of("image", cat, "labels", "a", "templates", List.of("no slot"))), 400, "invalid_request_error");
        assertError(s.postJson("/v1/classify", Map.of("image", cat, "labels", "a", "top", 0)), 400, "invalid_request_error");
        assertError(s.postJson("/v1/classify", Map.of("image", cat, "labels", List.of("z".repeat(1001)))), 400, "invalid_request_error");
        assertError(s.post("/v1/classify", "text/plain", "cat".getBytes()), 415, "unsupported_media_type");
        assertError(s.post("/v1/classify", "multipart/form-data", "x".getBytes()), 400, "invalid_request_error");
        assertError(s.post("/v1/classify", "multipart/form-data; boundary=abc", "--abc\r\nno headers end".getBytes()), 400, "invalid_request_error");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(TestServer.Reply r) {
        assertEquals(200, r.status(), r.text());
        return (List<Map<String, Object>>) r.json().get("results");
    }

    @Test
    void searchByTextAndByImage() throws IOException {
        ClipModel clip = TestServer.model();
        ImageIndex index = TestServer.index();
        List<ImageIndex.Hit> expected = index.search(clip.encodeText("a photo of a cat"), 3);
        List<Map<String, Object>> got = results(s.get("/v1/search?q=a%20photo%20of%20a%20cat&k=3"));
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertEquals((long) expected.get(i).id(), got.get(i).get("id"));
            assertEquals(expected.get(i).path(), got.get(i).get("path"));
            assertEquals(expected.get(i).score(), ((Number) got.get(i).get("score")).floatValue(), 1e-6);
            assertEquals("/v1/images/" + expected.get(i).id(), got.get(i).get("thumbnail"));
        }
        assertEquals(10 > index.size() ? index.size() : 10, results(s.get("/v1/search?q=cat")).size());
        for (TestServer.Reply r : List.of(
                s.postJson("/v1/search", Map.of("image", TestServer.base64(ROCKET), "k", 2)),
                s.postMultipart("/v1/search", List.of(new TestServer.Field("image", "r.jpg", Files.readAllBytes(ROCKET)),
                        TestServer.Field.text("k", "2"))))) {
            List<Map<String, Object>> hits = results(r);
            assertEquals(2, hits.size());
            assertEquals("rocket.jpg", hits.getFirst().get("path"), "an indexed image finds itself first");
            assertEquals(1.0, ((Number) hits.getFirst().get("score")).doubleValue(), 2e-3);
        }
        assertEquals(expected.getFirst().path(), results(s.postJson("/v1/search", Map.of("text", "a photo of a cat"))).getFirst().get("path"));
    }

    @Test
    void searchRefusals() throws IOException {
        assertError(s.get("/v1/search"), 400, "invalid_request_error");
        assertError(s.get("/v1/search?q=%20"), 400, "invalid_request_error");
        assertError(s.postJson("/v1/search", Map.of("text", "q".repeat(Requests.MAX_TEXT_CHARS + 1))), 400, "invalid_request_error");
        assertError(s.get("/v1/search?q=cat&k=0"), 400, "invalid_request_error");
        assertError(s.get("/v1/search?q=cat&k=ten"), 400, "invalid_request_error");
        assertError(s.get("/v1/search?q=cat&k=100000"), 400, "invalid_request_error");
        String malformed = s.raw("GET /v1/search?q=%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(malformed.startsWith("HTTP/1.1 400"), malformed);
        assertError(s.postJson("/v1/search", Map.of("k", 2)), 400, "invalid_request_error");
        assertError(s.postJson("/v1/search", Map.of("text", "cat", "image", TestServer.base64(CAT))), 400, "invalid_request_error");
        try (TestServer bare = TestServer.startWithoutIndex(TestServer.options())) {
            assertError(bare.get("/v1/search?q=cat"), 404, "not_found_error");
            assertError(bare.get("/v1/images/0"), 404, "not_found_error");
        }
    }

    @Test
    void thumbnailsOfIndexedImagesOnly() throws IOException {
        ImageIndex index = TestServer.index();
        for (int id = 0; id < index.size(); id++) {
            TestServer.Reply r = s.get("/v1/images/" + id);
            if (index.path(id).equals("escape.png")) {
                assertError(r, 404, "not_found_error");   // a symbolic link out of the indexed folder
                continue;
            }
            assertEquals(200, r.status(), index.path(id) + ": " + r.text());
            assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElseThrow());
            BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(r.body()));
            assertTrue(Math.max(thumb.getWidth(), thumb.getHeight()) <= Thumbnails.SIZE, index.path(id));
        }
        for (String bad : List.of("-1", "6", "99999999999", "x", "..%2F..%2Fetc%2Fpasswd", "0%2F..%2F..%2Fpom.xml", "1.0")) {
            assertError(s.get("/v1/images/" + bad), 404, "not_found_error");
        }
        assertTrue(s.raw("GET /v1/images/../../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 404"));
    }

    @Test
    void metricsInPrometheusFormat() throws Exception {
        s.get("/v1/search?q=cat");
        s.get("/nowhere");
        // A request is counted just after its reply is sent, so the client can be a hair ahead.
        TestServer.awaitMetric(s.port(), "clip_http_requests_total{route=\"/v1/search\",method=\"GET\",code=\"200\"}", n -> n >= 1, "search counted");
        TestServer.awaitMetric(s.port(), "clip_http_requests_total{route=\"other\",method=\"GET\",code=\"404\"}", n -> n >= 1, "404 counted");
        TestServer.Reply r = s.get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String m = r.text();
        for (String line : List.of("# TYPE clip_http_requests_total counter", "clip_http_requests_total{route=\"/v1/search\",method=\"GET\",code=\"200\"}",
                "clip_http_requests_total{route=\"other\",method=\"GET\",code=\"404\"}",
                "# TYPE clip_http_request_duration_seconds histogram", "clip_http_request_duration_seconds_bucket{route=\"/v1/search\",le=\"+Inf\"}",
                "clip_inference_queue_depth ", "clip_inference_requests_in_flight ", "clip_images_per_second ", "clip_texts_embedded_total ")) {
            assertTrue(m.contains(line), line + " in\n" + m);
        }
        for (String line : m.lines().toList()) {
            assertTrue(line.startsWith("#") || line.matches("[a-z_]+(\\{[^}]*\\})? [0-9.E+-]+"), "not Prometheus text: " + line);
        }
    }

    @Test
    void pageAndRouting() {
        TestServer.Reply page = s.get("/");
        assertEquals(200, page.status());
        assertTrue(page.text().contains("id=\"search-form\""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'self'"));
        assertEquals(200, s.get("/app.js").status());
        assertEquals(200, s.get("/style.css").status());
        assertError(s.get("/etc/passwd"), 404, "not_found_error");
        assertError(s.post("/healthz", "application/json", "{}".getBytes()), 405, "method_not_allowed");
        assertEquals("GET, POST", s.send(s.request("/v1/search").DELETE().build()).headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void aLoopbackServerAnswersOnlyToLoopbackNames() throws IOException {
        assertTrue(s.raw("GET /healthz HTTP/1.1\r\nHost: attacker.example:" + s.port() + "\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 421"));
        for (String host : List.of("localhost", "127.0.0.1", "[::1]")) {
            assertTrue(s.raw("GET /healthz HTTP/1.1\r\nHost: " + host + ":" + s.port() + "\r\nConnection: close\r\n\r\n")
                    .startsWith("HTTP/1.1 200"), host);
        }
    }

    @Test
    void twoHostHeadersAreRefusedAsJson() throws IOException {
        String reply = s.raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
        assertTrue(reply.startsWith("HTTP/1.1 400"), reply);
        assertTrue(reply.contains("more than one Host header") && reply.contains("\"invalid_request_error\""), reply);
    }

    @Test
    void aQueryOfOnlyNoBreakSpacesIsBlank() {
        for (String q : List.of("%C2%A0%C2%A0", "%E2%80%87", "%E2%80%AF%C2%85")) {
            assertError(s.get("/v1/search?q=" + q), 400, "invalid_request_error");
        }
    }

    /**
     * What the JDK's HTTP server answers itself, before jclip's handler runs, as the README documents:
     * no handler sees these requests, so they cannot get jclip's JSON errors. Pinned here so that the
     * README stays true on another JDK.
     */
    @Test
    void theJdkServersOwnAnswersAreAsDocumented() throws IOException {
        String close = "Connection: close\r\n\r\n";
        String dupLength = s.raw("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 5\r\nContent-Length: 7\r\n" + close + "{\"a\":1}");
        assertTrue(dupLength.startsWith("HTTP/1.1 400") && dupLength.contains("Conflicting or malformed headers"), dupLength);
        String lengthAndChunked = s.raw("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n" + close + "0\r\n\r\n");
        assertTrue(lengthAndChunked.startsWith("HTTP/1.1 400"), lengthAndChunked);
        String badEscape = s.raw("GET /v1/search?q=%zz HTTP/1.1\r\nHost: localhost\r\n" + close);
        assertTrue(badEscape.startsWith("HTTP/1.1 400") && badEscape.contains("URISyntaxException"), badEscape);
        String gzip = s.raw("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n" + close);
        assertTrue(gzip.startsWith("HTTP/1.1 501"), gzip);
        String manyHeaders;
        try {
            manyHeaders = s.raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + "X-A: 1\r\n".repeat(10_000) + close);
        } catch (IOException reset) {
            manyHeaders = "the connection was closed without an answer";
        }
        assertTrue(!manyHeaders.startsWith("HTTP/1.1 200"), "10,000 headers are not served: " + manyHeaders.lines().findFirst().orElse(""));
    }
}
