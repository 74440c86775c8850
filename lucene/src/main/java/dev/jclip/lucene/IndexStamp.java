package dev.jclip.lucene;

import dev.jclip.core.index.ImageIndex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Which flat index a graph was built from, kept in the graph's commit data: the model id, the entry
 * count and width, and a checksum over up to {@link #SAMPLES} evenly spaced entries' paths and
 * vectors. A rebuilt or updated flat index almost always changes one of them (cheap to check at every
 * search, unlike a checksum of every vector); the search scores from the flat index in any case.
 */
record IndexStamp(String modelId, int entries, int dim, long checksum) {
    static final int SAMPLES = 4096;

    static IndexStamp of(ImageIndex flat) {
        CRC32 crc = new CRC32();
        int n = flat.size();
        int step = Math.max(1, n / SAMPLES);
        ByteBuffer bytes = ByteBuffer.allocate(4 * flat.dim()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i += step) {
            crc.update(flat.path(i).getBytes(StandardCharsets.UTF_8));
            bytes.clear();
            bytes.asFloatBuffer().put(flat.vector(i));
            crc.update(bytes);
        }
        return new IndexStamp(flat.modelId(), n, flat.dim(), crc.getValue());
    }

    Map<String, String> toMap() {
        return Map.of("jclip.model", modelId, "jclip.entries", Integer.toString(entries), "jclip.dim", Integer.toString(dim),
                "jclip.checksum", Long.toString(checksum));
    }

    boolean matches(Map<String, String> data) {
        return toMap().equals(Map.copyOf(data));
    }
}
