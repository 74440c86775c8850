package dev.jclip.cli;

/** A command line that does not make sense; reported as {@code error: …} with exit status 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
