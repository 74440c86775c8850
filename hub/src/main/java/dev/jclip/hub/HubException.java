package dev.jclip.hub;

/** A model that cannot be found, fetched or verified; the message says what to do. */
public final class HubException extends RuntimeException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
