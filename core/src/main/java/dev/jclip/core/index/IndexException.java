package dev.jclip.core.index;

/** An index file or folder that cannot be used; the message says which and why. */
public final class IndexException extends RuntimeException {
    public IndexException(String message) {
        super(message);
    }
}
