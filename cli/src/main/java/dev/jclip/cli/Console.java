package dev.jclip.cli;

import java.io.PrintStream;

/** Where a command writes: results to {@code out}, one JSON object a line; problems to {@code err}. */
record Console(PrintStream out, PrintStream err, boolean verbose) {

    /** Reports one failed input of a batch and lets the batch go on. */
    void inputFailed(String input, Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println("error: " + (m.contains(input) ? m : input + ": " + m));
        if (verbose) {
            e.printStackTrace(err);
        }
    }
}
