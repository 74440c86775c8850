package dev.jclip.parquet;

/**
 * One row of an embedding table: an image's path, its embedding (null when {@code error} is set),
 * the error that kept it from being embedded (null when fine), and the id of the model.
 */
public record EmbeddingRow(String path, float[] embedding, String error, String model) {
}
