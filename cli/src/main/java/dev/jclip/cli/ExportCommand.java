package dev.jclip.cli;

import dev.jclip.core.index.ImageIndex;
import dev.jclip.parquet.EmbeddingRow;
import dev.jclip.parquet.EmbeddingTable;
import dev.jclip.parquet.EmbeddingTableWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip export --index INDEX --parquet FILE}: the index as an embedding table (path, embedding,
 * error, model; see {@link EmbeddingTable}), the schema of jclip's Spark job, for pandas, DuckDB or
 * Spark. Paths are written as Spark writes them ({@code file:/photos/a.jpg}) and the indexed folder
 * and the model are recorded, so {@code ./clip index --from-parquet} gives the same index back.
 */
final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String usage() {
        return "export --index INDEX --parquet FILE   the index's paths and embeddings as a Parquet table";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--index", "--parquet"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        Path indexFile = Path.of(args.required("--index"));
        Path out = Path.of(args.required("--parquet"));
        if (!args.positional().isEmpty()) {
            throw new UsageException("export takes no positional arguments (got " + args.positional() + ")");
        }
        long t0 = System.nanoTime();
        try (ImageIndex index = ImageIndex.open(indexFile)) {
            Path dir = index.imagesDir();
            Map<String, String> metadata = new HashMap<>();
            metadata.put(EmbeddingTable.MODEL_SOURCE_KEY, index.modelSource());
            if (dir != null) {
                metadata.put(EmbeddingTable.IMAGES_DIR_KEY, dir.toString());
            }
            try (EmbeddingTableWriter w = new EmbeddingTableWriter(out, metadata)) {
                for (int i = 0; i < index.size(); i++) {
                    String path = dir == null ? index.path(i) : "file:" + dir.resolve(index.path(i)).toString().replace('\\', '/');
                    w.write(new EmbeddingRow(path, index.vector(i), null, index.modelId()));
                }
            }
            console.err().printf("exported %d images of %s to %s in %.1f s%n", index.size(), indexFile, out, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
