package dev.jclip.server;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;

/**
 * The multipart/form-data parser on arbitrary bodies and Content-Type values: parts, or a 400
 * {@link ApiException}; nothing else, and never more than its part limit.
 */
class MultipartFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(FuzzedDataProvider data) {
        String contentType = data.consumeString(120);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            List<Multipart.Part> parts = Multipart.parse(body, contentType);
            if (parts.size() > 1000) {
                throw new AssertionError(parts.size() + " parts, over the limit");
            }
        } catch (ApiException expected) {
            if (expected.status != 400) {
                throw new AssertionError("a malformed body is a 400, not " + expected.status);
            }
        }
    }
}
