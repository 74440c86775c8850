package dev.jclip.core.safetensors;

import dev.jclip.core.json.Json;
import dev.jclip.core.json.JsonException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A checkpoint split over several safetensors files, as Hugging Face writes large models:
 * {@code model.safetensors.index.json} maps each tensor name to the shard that holds it.
 */
public final class ShardedSafeTensors implements TensorSource {
    private final Map<String, SafeTensorsFile> shardOf;
    private final Map<String, SafeTensorsFile> shards;
    private final Map<String, String> metadata;

    private ShardedSafeTensors(Map<String, SafeTensorsFile> shardOf, Map<String, SafeTensorsFile> shards,
                               Map<String, String> metadata) {
        this.shardOf = shardOf;
        this.shards = shards;
        this.metadata = metadata;
    }

    /** Opens every shard the index names and checks that each tensor is where the index says. */
    public static ShardedSafeTensors open(Path indexFile) {
        String text;
        try {
            text = Files.readString(indexFile);
        } catch (NoSuchFileException e) {
            throw new SafeTensorsException(indexFile + ": no such file");
        } catch (IOException e) {
            throw new SafeTensorsException(indexFile + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, Object> root;
        try {
            root = Json.parseObject(text);
        } catch (JsonException e) {
            throw new SafeTensorsException(indexFile + ": not valid JSON: " + e.getMessage());
        }
        if (!(root.get("weight_map") instanceof Map<?, ?> weightMap)) {
            throw new SafeTensorsException(indexFile + ": no 'weight_map' object");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, SafeTensorsFile> shards = new TreeMap<>();
        Map<String, SafeTensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (Map.Entry<?, ?> e : weightMap.entrySet()) {
                if (!(e.getValue() instanceof String file) || file.contains("/") || file.contains("\\")) {
                    throw new SafeTensorsException(indexFile + ": weight_map entry '" + e.getKey()
                            + "' does not name a shard file in the same folder");
                }
                SafeTensorsFile shard = shards.get(file);
                if (shard == null) {
                    shard = SafeTensorsFile.open(dir.resolve(file));
                    shards.put(file, shard);
                }
                String name = (String) e.getKey();
                if (!shard.contains(name)) {
                    throw new SafeTensorsException(indexFile + ": tensor '" + name + "' is mapped to " + file
                            + ", which does not hold it");
                }
                shardOf.put(name, shard);
            }
            for (SafeTensorsFile shard : shards.values()) {
                for (String name : shard.names()) {
                    if (shardOf.get(name) != shard) {
                        throw new SafeTensorsException(indexFile + ": tensor '" + name + "' in " + shard.path()
                                + " is not in the index's weight_map (or is mapped to another shard)");
                    }
                }
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafeTensorsFile::close);
            throw e;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (root.get("metadata") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
        }
        return new ShardedSafeTensors(shardOf, shards, Collections.unmodifiableMap(metadata));
    }

    private SafeTensorsFile shard(String name) {
        SafeTensorsFile s = shardOf.get(name);
        if (s == null) {
            throw new SafeTensorsException("sharded checkpoint has no tensor named '" + name + "'");
        }
        return s;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(shardOf.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public float[] floats(String name) {
        return shard(name).floats(name);
    }

    @Override
    public long[] longs(String name) {
        return shard(name).longs(name);
    }

    @Override
    public byte[] bytes(String name) {
        return shard(name).bytes(name);
    }

    @Override
    public void close() {
        shards.values().forEach(SafeTensorsFile::close);
    }
}
