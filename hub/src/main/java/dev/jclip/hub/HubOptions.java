package dev.jclip.hub;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where models are looked for and fetched from, read from the environment as the Hugging Face tools
 * read it: {@code CLIP_HOME} (default {@code ~/.cache/jclip}) holds converted models;
 * {@code HF_HOME} (default {@code ~/.cache/huggingface}) may hold a Hub cache to convert from;
 * {@code HF_ENDPOINT} (default the public Hub) serves downloads, with {@code HF_TOKEN} if set;
 * {@code HF_HUB_OFFLINE=1} forbids the network.
 */
public record HubOptions(Path clipHome, Path hfHome, String endpoint, String token, boolean offline) {
    public static final String PUBLIC_HUB = "https://huggingface.co";

    public static HubOptions fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static HubOptions from(Map<String, String> env, Path home) {
        Path clipHome = env.containsKey("CLIP_HOME") ? Path.of(env.get("CLIP_HOME")) : home.resolve(".cache/jclip");
        Path hfHome = env.containsKey("HF_HOME") ? Path.of(env.get("HF_HOME")) : home.resolve(".cache/huggingface");
        String endpoint = env.getOrDefault("HF_ENDPOINT", PUBLIC_HUB).replaceAll("/+$", "");
        String token = env.get("HF_TOKEN");
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        return new HubOptions(clipHome, hfHome, endpoint, token == null || token.isBlank() ? null : token,
                offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes"));
    }
}
