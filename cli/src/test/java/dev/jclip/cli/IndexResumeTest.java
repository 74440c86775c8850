package dev.jclip.cli;

import dev.jclip.core.index.ImageIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An index build killed with SIGKILL part-way, in a child JVM, then run again: the previous index
 * stays readable throughout, the rerun embeds nothing the journal had saved, and the result is the
 * same file an uninterrupted build writes.
 */
class IndexResumeTest {
    private static final int OLD = 40;
    private static final int NEW = 360;

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void convert() {
        model = MainTest.tinyModel(dir);
    }

    private static void writeImages(Path folder, int from, int to) throws IOException {
        Files.createDirectories(folder);
        for (int i = from; i < to; i++) {
            SplittableRandom r = new SplittableRandom(i);
            BufferedImage img = new BufferedImage(40 + r.nextInt(40), 40 + r.nextInt(40), BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < img.getHeight(); y += 4) {
                for (int x = 0; x < img.getWidth(); x += 4) {
                    int rgb = r.nextInt(1 << 24);
                    for (int dy = 0; dy < 4 && y + dy < img.getHeight(); dy++) {
                        for (int dx = 0; dx < 4 && x + dx < img.getWidth(); dx++) {
                            img.setRGB(x + dx, y + dy, rgb);
                        }
                    }
                }
            }
            ImageIO.write(img, "png", folder.resolve(String.format("img%04d.png", i)).toFile());
        }
    }

    /** Intact records in a journal: each u32 length, then a body whose CRC-32 ends the record. */
    static int journalRecords(Path journal) throws IOException {
        if (!Files.exists(journal)) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(journal)).order(ByteOrder.LITTLE_ENDIAN);
        // The build may be writing the header right now: a journal shorter than its header holds no record.
        int p = 8 + 4 + 1;
        for (int field = 0; field < 2; field++) {   // model id, images folder
            if (b.limit() < p + 2) {
                return 0;
            }
            p += 2 + Short.toUnsignedInt(b.getShort(p));
        }
        if (p > b.limit()) {
            return 0;
        }
        b.position(p);
        int records = 0;
        while (b.remaining() >= 4) {
            int length = b.getInt(b.position());
            if (length < 4 || b.remaining() < 4 + length) {
                break;
            }
            CRC32 crc = new CRC32();
            crc.update(b.array(), b.position() + 4, length - 4);
            if ((int) crc.getValue() != b.getInt(b.position() + length)) {
                break;
            }
            records++;
            b.position(b.position() + 4 + length);
        }
        return records;
    }

    private static int count(String summary, String what) {
        Matcher m = Pattern.compile("(\\d+) " + what).matcher(summary);
        assertTrue(m.find(), "'" + what + "' in: " + summary);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aKilledBuildResumesAndEndsAsAnUninterruptedOne() throws Exception {
        Path photos = dir.resolve("photos");
        writeImages(photos, 0, OLD);
        Path out = dir.resolve("photos.idx");
        MainTest.Result first = MainTest.run("index", photos.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(0, first.status(), first.err());
        byte[] oldIndex = Files.readAllBytes(out);
        writeImages(photos, OLD, OLD + NEW);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "index", photos.toString(), "--model", model.toString(), "--out", out.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path journal = Path.of(out + ".journal");
        int searchedWhileBuilding = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            // Kill once a few batches are saved, well before the 360 new images are all done.
            while (journalRecords(journal) < 24) {
                if (!child.isAlive()) {
                    fail("the build ended before it could be killed: " + Files.readString(dir.resolve("child.log")));
                }
                if (System.nanoTime() > deadline) {
                    fail("no progress in the journal within 120 s");
                }
                try (ImageIndex index = ImageIndex.open(out)) {
                    assertEquals(OLD, index.size(), "the previous index is readable while a build runs");
                    searchedWhileBuilding++;
                }
                Thread.sleep(2);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(searchedWhileBuilding > 0);
        assertArrayEquals(oldIndex, Files.readAllBytes(out), "the previous index is untouched by the killed build");
        int saved = journalRecords(journal);
        assertTrue(saved >= 24 && saved < NEW, "saved before the kill: " + saved);
        List<Path> leftovers = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".partial")).forEach(leftovers::add);
        }
        assertEquals(List.of(), leftovers, "no half-written index file");

        MainTest.Result resumed = MainTest.run("index", photos.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(0, resumed.status(), resumed.err());
        String summary = resumed.err().lines().filter(l -> l.startsWith("indexed ")).findFirst().orElseThrow();
        assertEquals(OLD, count(summary, "unchanged"), summary);
        assertEquals(saved, count(summary, "resumed"), "everything saved is used, nothing saved is embedded again: " + summary);
        assertEquals(NEW - saved, count(summary, "embedded"), summary);
        assertTrue(Files.notExists(journal), "the journal is removed once its work is in the index");

        Path fresh = dir.resolve("fresh.idx");
        MainTest.Result uninterrupted = MainTest.run("index", photos.toString(), "--model", model.toString(), "--out", fresh.toString());
        assertEquals(0, uninterrupted.status(), uninterrupted.err());
        assertArrayEquals(Files.readAllBytes(fresh), Files.readAllBytes(out), "the resumed index equals an uninterrupted build's");
    }
}
