package dev.jclip.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on stderr with rate and ETA, redrawn at most five times a second, drawn
 * only when stderr is a terminal (logs and pipes get the summary line alone).
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final String what;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    private int failures;

    ProgressBar(Console console, String what) {
        this.err = console.err();
        this.what = what;
        this.enabled = console.terminal();
    }

    /** Prints one line above the bar (a failure as it is met), then redraws the bar. */
    void println(String line) {
        if (drawn) {
            err.print("\r\033[2K"); // return, clear the line
        }
        err.println(line);
        drawn = false;
        lastDraw = System.nanoTime() - 1_000_000_000L; // redraw at the next update
    }

    /** Counts a failure for the bar and reports it at once. */
    void failed(String line) {
        failures++;
        println(line);
    }

    void update(int done, int total) {
        if (!enabled || total == 0) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        int filled = (int) ((long) WIDTH * done / total);
        err.printf("\r%s [%s%s] %d/%d  %.1f images/s  ETA %d:%02d:%02d%s ", what, "=".repeat(filled), " ".repeat(WIDTH - filled),
                done, total, rate, eta / 3600, eta / 60 % 60, eta % 60, failures == 0 ? "" : "  " + failures + " failed");
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.println();
        }
    }
}
