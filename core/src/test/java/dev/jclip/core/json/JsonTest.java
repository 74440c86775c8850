package dev.jclip.core.json;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> m = Json.parseObject(
                "{\"a\": 1, \"b\": -2.5e1, \"c\": [true, false, null], \"d\": \"x\\u00e9\\n\\\"\", \"e\": {}}");
        assertEquals(1L, m.get("a"));
        assertEquals(-25.0, m.get("b"));
        assertEquals(java.util.Arrays.asList(true, false, null), m.get("c"));
        assertEquals("xé\n\"", m.get("d"));
        assertEquals(Map.of(), m.get("e"));
    }

    @Test
    void writesWhatItReads() {
        String text = Json.write(Map.of("k", List.of(1, "two\t\u0001", new float[]{1.5f, Float.NaN}, new int[]{3})));
        assertEquals("{\"k\": [1, \"two\\t\\u0001\", [1.5, null], [3]]}", text);
        assertEquals(List.of(1L, "two\t\u0001", java.util.Arrays.asList(1.5, null), List.of(3L)), Json.parseObject(text).get("k"));
    }

    @Test
    void refusesMalformedJson() {
        for (String bad : new String[]{"", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "{\"a\": 1} x",
                "{\"a\": 1, \"a\": 2}", "\"\\q\"", "{\"a\": tru}", "[01a]", "\"abc"}) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("offset") || e.getMessage().contains("top level"), e.getMessage());
        }
    }

    @Test
    void duplicateKeysAreNamed() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\"w\": 1, \"w\": 2}"));
        assertTrue(e.getMessage().contains("duplicate key \"w\""), e.getMessage());
    }
}
