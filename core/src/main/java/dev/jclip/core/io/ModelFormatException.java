package dev.jclip.core.io;

/** A model file that cannot be used: wrong version, missing or misshapen tensors, bad config. */
public final class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
