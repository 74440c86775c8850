package dev.jclip.core.image;

/** An image that cannot be used; the message names the file and what is wrong with it. */
public final class ImageDecodeException extends RuntimeException {
    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
