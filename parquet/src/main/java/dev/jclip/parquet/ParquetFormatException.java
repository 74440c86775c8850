package dev.jclip.parquet;

/** A Parquet file jclip cannot read: the message names the file and says what is wrong. */
public final class ParquetFormatException extends RuntimeException {
    public ParquetFormatException(String message) {
        super(message);
    }
}
