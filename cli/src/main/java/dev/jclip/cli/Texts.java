package dev.jclip.cli;

import dev.jclip.core.tokenizer.ClipTokenizer;

import java.util.List;

/** Checks on texts given on the command line. */
final class Texts {
    private Texts() {
    }

    /**
     * Refuses blank texts (whitespace of any kind, no-break spaces included, counts as blank). The Java API encodes "" as the reference does, but on a command line a
     * blank text is almost always an unset shell variable, and its embedding would be silently wrong.
     */
    static void requireNonBlank(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (ClipTokenizer.isBlank(texts.get(i))) {
                throw new UsageException("text " + (i + 1) + " is empty or only spaces; give a non-blank text");
            }
        }
    }
}
