package dev.jclip.core.json;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

/**
 * The JSON reader on arbitrary text: a value (which writes back) or a {@link JsonException}, nothing
 * else: no stack overflow on deep nesting, no number format or index exception.
 */
class JsonFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        try {
            Json.write(Json.parse(text));
        } catch (JsonException expected) {
            // the contract for malformed input: a clear refusal
        }
    }
}
