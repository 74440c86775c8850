package dev.jclip.core.safetensors;

/** A safetensors file that is malformed or does not hold what was asked for. */
public class SafeTensorsException extends RuntimeException {
    public SafeTensorsException(String message) {
        super(message);
    }

    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
