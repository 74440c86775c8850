package dev.jclip.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The constant tables of the VP8 key-frame bitstream (RFC 6386), read once from
 * {@code vp8-tables.txt} beside this class: default and update probabilities of the coefficient
 * tokens, sub-block mode probabilities, and the dequantisation tables. The fixed trees and the few
 * short tables live in {@link WebpLossy}, where they are used.
 */
final class Vp8Tables {
    /** [type 4][band 8][context 3][node 11], flattened. */
    static final int[] COEFF_PROBS;
    static final int[] COEFF_UPDATE_PROBS;
    /** [mode above 10][mode left 10][node 9], flattened; modes DC TM VE HE RD VR LD VL HD HU. */
    static final int[] BMODE_PROBS;
    static final int[] DC_TABLE;
    static final int[] AC_TABLE;

    static {
        Map<String, int[]> tables = read();
        COEFF_PROBS = tables.get("coeff_probs");
        COEFF_UPDATE_PROBS = tables.get("coeff_update_probs");
        BMODE_PROBS = tables.get("bmode_probs");
        DC_TABLE = tables.get("dc_table");
        AC_TABLE = tables.get("ac_table");
    }

    private Vp8Tables() {
    }

    private static Map<String, int[]> read() {
        String text;
        try (InputStream in = Vp8Tables.class.getResourceAsStream("vp8-tables.txt")) {
            if (in == null) {
                throw new IllegalStateException("vp8-tables.txt is missing from the jclip-core jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, int[]> tables = new HashMap<>();
        int[] current = null;
        int filled = 0;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.trim().split("\\s+");
            if (Character.isLetter(words[0].charAt(0))) {
                current = new int[Integer.parseInt(words[1])];
                filled = 0;
                tables.put(words[0], current);
                continue;
            }
            for (String w : words) {
                current[filled++] = Integer.parseInt(w);
            }
        }
        return tables;
    }
}
