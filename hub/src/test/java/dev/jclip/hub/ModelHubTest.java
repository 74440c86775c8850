package dev.jclip.hub;

import dev.jclip.core.ClipModel;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.testing.Fixtures;
import dev.jclip.core.testing.Tolerance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding and fetching a model by repository id, against a loopback Hub serving the tiny fixture. */
class ModelHubTest {
    private static final String REPO = "tiny-org/clip-tiny";

    @TempDir
    Path dir;
    private FakeHub hub;
    private Path clipHome;
    private Path hfHome;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub(Fixtures.tiny("hf"));
        clipHome = dir.resolve("clip-home");
        hfHome = dir.resolve("hf-home");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private ModelHub modelHub(boolean offline, String token) {
        return new ModelHub(new HubOptions(clipHome, hfHome, hub.endpoint(), token, offline), DownloadProgress.NONE);
    }

    private static void assertTinyModel(Path converted) {
        try (ClipModel clip = ClipModel.load(converted); SafeTensorsFile expected = Fixtures.expected()) {
            Tolerance.assertClose(expected.floats("text_embeds"), 0, clip.encodeText(Fixtures.texts().getFirst()), 1e-5, "text 0");
        }
    }

    @Test
    void downloadsConvertsOnceAndThenUsesTheCache() {
        Path converted = modelHub(false, null).resolve(REPO);
        assertEquals(clipHome.resolve("models/tiny-org--clip-tiny.safetensors"), converted);
        assertTinyModel(converted);
        assertFalse(Files.exists(clipHome.resolve("downloads/tiny-org--clip-tiny")), "downloads are removed once converted");
        assertTrue(hub.requests.stream().anyMatch(r -> r.path().equals("/" + REPO + "/resolve/main/config.json")));
        int before = hub.requests.size();
        assertEquals(converted, modelHub(false, null).resolve(REPO));
        assertEquals(before, hub.requests.size(), "a cached model needs no request");
    }

    @Test
    void aTransferCutHalfWayResumesWithRange() throws IOException {
        long size = Files.size(Fixtures.tiny("hf/model.safetensors"));
        hub.cutModelAfter.set((int) (size / 2));
        HubException e = assertThrows(HubException.class, () -> modelHub(false, null).resolve(REPO));
        assertTrue(e.getMessage().contains("run again to resume"), e.getMessage());
        Path partial = clipHome.resolve("downloads/tiny-org--clip-tiny/model.safetensors.incomplete");
        assertTrue(Files.exists(partial));
        long have = Files.size(partial);
        assertTrue(have > 0 && have < size, "kept " + have + " of " + size);
        assertFalse(Files.exists(clipHome.resolve("models/tiny-org--clip-tiny.safetensors")));

        Path converted = modelHub(false, null).resolve(REPO);
        assertTinyModel(converted);
        assertTrue(hub.requests.stream().anyMatch(r -> r.method().equals("GET") && ("bytes=" + have + "-").equals(r.range())),
                "the second attempt asked for the rest only: " + hub.requests);
    }

    @Test
    void aCorruptDownloadIsRejectedAndNotCached() {
        hub.corruptModel = true;
        HubException e = assertThrows(HubException.class, () -> modelHub(false, null).resolve(REPO));
        assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains("does not match"), e.getMessage());
        assertFalse(Files.exists(clipHome.resolve("models/tiny-org--clip-tiny.safetensors")));
        assertFalse(Files.exists(clipHome.resolve("downloads/tiny-org--clip-tiny/model.safetensors")));
        assertFalse(Files.exists(clipHome.resolve("downloads/tiny-org--clip-tiny/model.safetensors.incomplete")));
        hub.corruptModel = false;
        assertTinyModel(modelHub(false, null).resolve(REPO));
    }

    @Test
    void offlineWithNothingCachedSaysWhatToCopyWhere() {
        HubException e = assertThrows(HubException.class, () -> modelHub(true, null).resolve(REPO));
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("./clip convert"), e.getMessage());
        assertTrue(e.getMessage().contains(clipHome.resolve("models/tiny-org--clip-tiny.safetensors").toString()), e.getMessage());
        assertTrue(hub.requests.isEmpty(), "offline means no request");
    }

    @Test
    void anExistingHuggingFaceCacheIsConvertedWithoutTheNetwork() throws IOException {
        Path snapshot = hfHome.resolve("hub/models--tiny-org--clip-tiny/snapshots/0123abcd");
        Files.createDirectories(snapshot);
        for (String f : new String[]{"config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json"}) {
            Files.copy(Fixtures.tiny("hf/" + f), snapshot.resolve(f));
        }
        Files.createDirectories(snapshot.getParent().getParent().resolve("refs"));
        Files.writeString(snapshot.getParent().getParent().resolve("refs/main"), "0123abcd\n");
        assertTinyModel(modelHub(true, null).resolve(REPO));
        assertTrue(hub.requests.isEmpty());
    }

    @Test
    void theTokenIsSentWhenSet() {
        hub.requiredToken = "secret";
        HubException e = assertThrows(HubException.class, () -> modelHub(false, null).resolve(REPO));
        assertTrue(e.getMessage().contains("401") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
        assertTinyModel(modelHub(false, "secret").resolve(REPO));
        assertTrue(hub.requests.stream().filter(r -> r.authorization() != null).allMatch(r -> r.authorization().equals("Bearer secret")));
    }

    @Test
    void anUnreachableHubGivesTheAirGappedRoute() {
        hub.close();
        HubException e = assertThrows(HubException.class, () -> modelHub(false, null).resolve(REPO));
        assertTrue(e.getMessage().contains("cannot be reached") && e.getMessage().contains("./clip convert"), e.getMessage());
    }

    @Test
    void environmentDefaults() {
        HubOptions o = HubOptions.from(Map.of(), Path.of("/home/u"));
        assertEquals(Path.of("/home/u/.cache/jclip"), o.clipHome());
        assertEquals(Path.of("/home/u/.cache/huggingface"), o.hfHome());
        assertEquals(HubOptions.PUBLIC_HUB, o.endpoint());
        assertFalse(o.offline());
        HubOptions set = HubOptions.from(Map.of("CLIP_HOME", "/c", "HF_HOME", "/h", "HF_ENDPOINT", "http://127.0.0.1:9/",
                "HF_TOKEN", "t", "HF_HUB_OFFLINE", "1"), Path.of("/home/u"));
        assertEquals(new HubOptions(Path.of("/c"), Path.of("/h"), "http://127.0.0.1:9", "t", true), set);
        assertTrue(ModelHub.isRepoId("zer0int/CLIP-GmP-ViT-L-14"));
        assertTrue(ModelHub.isRepoId("org/name@v1.0"));
        assertFalse(ModelHub.isRepoId("model.safetensors"));
    }
}
