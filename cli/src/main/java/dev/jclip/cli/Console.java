package dev.jclip.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to {@code out}, one JSON object a line; problems to {@code err};
 * {@code terminal} when {@code err} is a terminal, where progress is drawn.
 */
record Console(PrintStream out, PrintStream err, boolean verbose, boolean terminal) {

    /** Reports one failed input of a batch and lets the batch go on. */
    void inputFailed(String input, Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println("error: " + (m.contains(input) ? m : input + ": " + m));
        if (verbose) {
            e.printStackTrace(err);
        }
    }
}
