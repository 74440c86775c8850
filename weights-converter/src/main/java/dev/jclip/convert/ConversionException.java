package dev.jclip.convert;

/** A checkpoint that cannot be converted; the message names the file or tensor and what is wrong. */
public final class ConversionException extends RuntimeException {
    public ConversionException(String message) {
        super(message);
    }

    public ConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
