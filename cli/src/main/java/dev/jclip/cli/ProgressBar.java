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

    ProgressBar(PrintStream err, String what) {
        this.err = err;
        this.what = what;
        this.enabled = err == System.err && System.console() != null && System.console().isTerminal();
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
        err.printf("\r%s [%s%s] %d/%d  %.1f images/s  ETA %d:%02d ", what, "=".repeat(filled), " ".repeat(WIDTH - filled),
                done, total, rate, eta / 60, eta % 60);
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
