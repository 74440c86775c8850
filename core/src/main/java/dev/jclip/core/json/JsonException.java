package dev.jclip.core.json;

/** Malformed JSON; the message says what and at which offset. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message);
    }
}
