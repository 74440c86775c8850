package dev.jclip.core.tokenizer;

/**
 * GPT-2's reversible byte-to-character map, which CLIP's BPE works on: printable Latin-1 bytes map to
 * themselves, the other 68 bytes to code points from U+0100 up, so every byte has a visible character.
 */
final class ByteLevel {
    /** BYTE_TO_CHAR[b] is the character standing for byte b. */
    static final char[] BYTE_TO_CHAR = new char[256];
    /** The 256 characters in vocabulary order: printable bytes first, then the remapped ones. */
    static final char[] VOCAB_ORDER = new char[256];

    static {
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (printable[b]) {
                BYTE_TO_CHAR[b] = (char) b;
                VOCAB_ORDER[k++] = (char) b;
            }
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_TO_CHAR[b] = (char) (256 + next++);
                VOCAB_ORDER[k++] = BYTE_TO_CHAR[b];
            }
        }
    }

    private ByteLevel() {
    }
}
