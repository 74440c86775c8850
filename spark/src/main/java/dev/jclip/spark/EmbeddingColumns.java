package dev.jclip.spark;

import dev.jclip.parquet.EmbeddingTable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns jclip adds to a Dataset, and the schema of {@link EmbedImages}' Parquet output:
 * <pre>
 *   path       string         the image's path as Spark listed it (a file:, hdfs: or s3a: URI)
 *   embedding  array&lt;float&gt;  null if error: the projected image embedding, unit length
 *   error      string         null if fine: what is wrong with the image, naming it
 *   model      string         not null: the id of the model that computed the embedding
 * </pre>
 * The same table as {@link EmbeddingTable} (which {@code ./clip index --from-parquet} reads).
 * Embeddings of one model id are comparable with each other and with that model's text embeddings.
 */
public final class EmbeddingColumns {
    public static final String PATH = EmbeddingTable.PATH;
    /** The image bytes column of Spark's binaryFile source; dropped from the output. */
    public static final String CONTENT = "content";
    public static final String EMBEDDING = EmbeddingTable.EMBEDDING;
    public static final String ERROR = EmbeddingTable.ERROR;
    public static final String MODEL = EmbeddingTable.MODEL;

    /** The embedding column's type: the elements are never null, so Parquet stores them as required floats. */
    public static final DataType EMBEDDING_TYPE = DataTypes.createArrayType(DataTypes.FloatType, false);

    private EmbeddingColumns() {
    }

    /** {@code input}'s columns without {@code drop}, then embedding, error and model. */
    static StructType withEmbedding(StructType input, String drop) {
        StructType out = new StructType();
        for (StructField f : input.fields()) {
            if (!f.name().equals(drop)) {
                out = out.add(f);
            }
        }
        return out.add(EMBEDDING, EMBEDDING_TYPE, true)
                .add(ERROR, DataTypes.StringType, true)
                .add(MODEL, DataTypes.StringType, false);
    }

    /** The Parquet output's schema: path, embedding, error, model. */
    public static StructType parquetSchema() {
        return new StructType()
                .add(PATH, DataTypes.StringType, true)
                .add(EMBEDDING, EMBEDDING_TYPE, true)
                .add(ERROR, DataTypes.StringType, true)
                .add(MODEL, DataTypes.StringType, false);
    }
}
