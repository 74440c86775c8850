package dev.jclip.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The progress bar draws on a terminal, with rate, ETA and failures so far, and prints each failure
 * above itself as it is met; in a log or pipe it draws nothing. (It used to compare its stream with
 * System.err, which Main wraps, so it never drew at all.)
 */
class ProgressBarTest {
    private static String draw(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Console console = new Console(new PrintStream(new ByteArrayOutputStream()), err, false, terminal);
        try (ProgressBar bar = new ProgressBar(console, "embedding")) {
            bar.update(0, 10);
            bar.failed("error: broken.jpg: truncated or corrupt JPEG");
            bar.update(10, 10);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalItDrawsRateEtaAndFailuresAndPrintsFailuresAsMet() {
        String out = draw(true);
        assertTrue(out.contains("error: broken.jpg: truncated or corrupt JPEG\n"), out);
        assertTrue(out.contains("\rembedding [==============================] 10/10"), out);
        assertTrue(out.contains("images/s") && out.contains("ETA 0:00:00") && out.contains("1 failed"), out);
    }

    @Test
    void inALogOnlyTheFailuresAppear() {
        assertEquals("error: broken.jpg: truncated or corrupt JPEG\n", draw(false));
    }
}
