package dev.jclip.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a token, every endpoint but /healthz and the page's static files wants {@code Authorization: Bearer}. */
class AuthTest {
    private static final String TOKEN = "s3cret-Token_42";
    private static TestServer s;

    @BeforeAll
    static void start() throws IOException {
        s = TestServer.start(TestServer.options().withToken(TOKEN));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** One valid request per protected endpoint. */
    private static List<HttpRequest> protectedRequests() {
        String cat = TestServer.base64(dev.jclip.core.testing.Fixtures.tiny("images/chelsea.png"));
        HttpRequest.BodyPublisher embed = HttpRequest.BodyPublishers.ofString("{\"input\": \"a cat\"}");
        HttpRequest.BodyPublisher classify = HttpRequest.BodyPublishers.ofString("{\"image\": \"" + cat + "\", \"labels\": \"cat,dog\"}");
        HttpRequest.BodyPublisher search = HttpRequest.BodyPublishers.ofString("{\"image\": \"" + cat + "\"}");
        return List.of(
                s.request("/metrics").GET().build(),
                s.request("/v1/embeddings").header("Content-Type", "application/json").POST(embed).build(),
                s.request("/v1/classify").header("Content-Type", "application/json").POST(classify).build(),
                s.request("/v1/search?q=cat").GET().build(),
                s.request("/v1/search").header("Content-Type", "application/json").POST(search).build(),
                s.request("/v1/images/0").GET().build());
    }

    private static HttpRequest withAuthorization(HttpRequest r, String value) {
        HttpRequest.Builder b = HttpRequest.newBuilder(r, (name, v) -> !name.equalsIgnoreCase("Authorization"));
        if (value != null) {
            b.header("Authorization", value);
        }
        return b.build();
    }

    @Test
    void everyProtectedEndpointRefusesAMissingOrWrongToken() {
        s.token(TOKEN);
        for (HttpRequest r : protectedRequests()) {
            for (String auth : new String[]{null, "Bearer wrong", "Bearer " + TOKEN + "x", "Basic " + TOKEN, TOKEN, "Bearer "}) {
                TestServer.Reply reply = s.send(withAuthorization(r, auth));
                assertEquals(401, reply.status(), r.method() + " " + r.uri() + " with " + auth);
                assertEquals("authentication_error", reply.errorType());
                assertTrue(reply.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
            }
            TestServer.Reply ok = s.send(r);
            assertEquals(200, ok.status(), r.method() + " " + r.uri() + ": " + ok.text());
            assertEquals(200, s.send(withAuthorization(r, "bearer " + TOKEN)).status(), "the scheme is case-insensitive");
        }
    }

    @Test
    void healthAndThePageNeedNoToken() {
        s.token(null);
        assertEquals(200, s.get("/healthz").status());
        assertEquals(200, s.get("/").status());
        assertEquals(200, s.get("/app.js").status());
        assertEquals(401, s.postJson("/v1/embeddings", Map.of("input", "x")).status());
    }

    @Test
    void theTokenIsCheckedBeforeTheBodyIsRead() throws IOException {
        String reply = s.raw("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 999999999\r\n\r\n{\"input\": ");
        assertTrue(reply.startsWith("HTTP/1.1 401"), reply);
    }
}
