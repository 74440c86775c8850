package dev.jclip.cli;

import java.util.List;

/** Checks on texts given on the command line. */
final class Texts {
    private Texts() {
    }

    /**
     * Refuses blank texts. The Java API encodes "" as the reference does, but on a command line a
     * blank text is almost always an unset shell variable, and its embedding would be silently wrong.
     */
    static void requireNonBlank(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new UsageException("text " + (i + 1) + " is empty; give a non-blank text");
            }
        }
    }
}
