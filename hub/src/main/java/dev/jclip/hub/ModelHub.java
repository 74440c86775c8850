package dev.jclip.hub;

import dev.jclip.convert.Converter;
import dev.jclip.core.io.AtomicFiles;
import dev.jclip.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds a model by Hub repository id ({@code org/name}, optionally {@code @revision}) and returns a
 * converted runtime file, in this order: the project's cache ({@code CLIP_HOME/models}); an existing
 * Hugging Face cache ({@code HF_HOME/hub/models--org--name/snapshots/…}), converted once; a download
 * of config, weights (single or sharded) and tokenizer files, converted once. Paths are used as given.
 */
public final class ModelHub {
    public static final String DEFAULT_MODEL = "zer0int/CLIP-GmP-ViT-L-14";
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._/-]+)?");
    /** Files a CLIP repository may have besides the weights; each is optional. */
    private static final List<String> SIDE_FILES = List.of("preprocessor_config.json", "vocab.json", "merges.txt",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    private final HubOptions options;
    private final DownloadProgress progress;

    public ModelHub(HubOptions options, DownloadProgress progress) {
        this.options = options;
        this.progress = progress;
    }

    public static boolean isRepoId(String model) {
        return REPO_ID.matcher(model).matches() && !Files.exists(Path.of(model));
    }

    /** The converted model file for a repository id. */
    public Path resolve(String repoId) {
        String repo = repoId.contains("@") ? repoId.substring(0, repoId.indexOf('@')) : repoId;
        String revision = repoId.contains("@") ? repoId.substring(repoId.indexOf('@') + 1) : "main";
        String flat = repo.replace("/", "--") + (revision.equals("main") ? "" : "@" + revision.replace("/", "_"));
        Path converted = options.clipHome().resolve("models").resolve(flat + ".safetensors");
        if (Files.isRegularFile(converted)) {
            return converted;
        }
        try {
            Path snapshot = hfCacheSnapshot(repo, revision);
            if (snapshot != null) {
                Converter.convert(snapshot, converted, null);
                return converted;
            }
            if (options.offline()) {
                throw new HubException(notCached(repo, converted, "HF_HUB_OFFLINE is set"));
            }
            Path downloads = options.clipHome().resolve("downloads").resolve(flat);
            download(repo, revision, downloads, converted);
            Converter.convert(downloads, converted, null);
            AtomicFiles.deleteTree(downloads);   // the converted file has everything; keep the disk for it
            return converted;
        } catch (IOException e) {
            if (e instanceof ConnectException || e instanceof HttpTimeoutException || e.getCause() instanceof UnresolvedAddressException) {
                throw new HubException(notCached(repo, converted, "the Hub at " + options.endpoint() + " cannot be reached"), e);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The air-gapped route, spelled out. */
    private String notCached(String repo, Path converted, String why) {
        return repo + " is not in the cache (" + converted + " nor " + options.hfHome().resolve("hub") + ") and " + why
                + ". On a machine with network, fetch config.json, model.safetensors, preprocessor_config.json, vocab.json"
                + " and merges.txt from " + HubOptions.PUBLIC_HUB + "/" + repo + " into a folder, run ./clip convert FOLDER model.safetensors,"
                + " and copy model.safetensors here to " + converted + " (or pass --model FILE)";
    }

    /** {@code HF_HOME/hub/models--org--name/snapshots/REV}, REV from {@code refs/REVISION} or the revision itself. */
    private Path hfCacheSnapshot(String repo, String revision) throws IOException {
        Path root = options.hfHome().resolve("hub").resolve("models--" + repo.replace("/", "--"));
        Path ref = root.resolve("refs").resolve(revision);
        String commit = Files.isRegularFile(ref) ? Files.readString(ref).strip() : revision;
        Path snapshot = root.resolve("snapshots").resolve(commit);
        if (Files.isRegularFile(snapshot.resolve("config.json"))
                && (Files.exists(snapshot.resolve("model.safetensors")) || Files.exists(snapshot.resolve("model.safetensors.index.json")))) {
            return snapshot;
        }
        return null;
    }

    private void download(String repo, String revision, Path dir, Path converted) throws IOException {
        Downloader d = new Downloader(options);
        if (!d.fetch(repo, revision, "config.json", dir, progress)) {
            throw new HubException(d.uri(repo, revision, "config.json") + ": not found; is " + repo + " a model repository?");
        }
        if (!d.fetch(repo, revision, "model.safetensors", dir, progress)) {
            if (!d.fetch(repo, revision, "model.safetensors.index.json", dir, progress)) {
                throw new HubException(repo + " has neither model.safetensors nor model.safetensors.index.json;"
                        + " only safetensors weights are read");
            }
            for (String shard : shards(dir.resolve("model.safetensors.index.json"))) {
                if (!d.fetch(repo, revision, shard, dir, progress)) {
                    throw new HubException(d.uri(repo, revision, shard) + ": listed in the index but not found");
                }
            }
        }
        for (String f : SIDE_FILES) {
            d.fetch(repo, revision, f, dir, progress);
        }
    }

    private static List<String> shards(Path index) throws IOException {
        Map<String, Object> json = Json.parseObject(Files.readString(index));
        TreeSet<String> files = new TreeSet<>();
        if (json.get("weight_map") instanceof Map<?, ?> m) {
            for (Object v : m.values()) {
                String f = String.valueOf(v);
                if (f.contains("/") || f.contains("\\") || f.startsWith(".")) {
                    throw new HubException(index + ": shard name '" + f + "' is not a plain file name");
                }
                files.add(f);
            }
        }
        return new ArrayList<>(files);
    }
}
