package dev.jclip.server;

import java.util.List;
import java.util.Map;

/** Reading typed fields out of a parsed JSON request, with 400s that name the field. */
final class Requests {
    private Requests() {
    }

    static String optionalString(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v != null && !(v instanceof String)) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return (String) v;
    }

    static List<?> list(Object v, String field) {
        if (!(v instanceof List<?> l)) {
            throw ApiException.badRequest(field + " must be an array");
        }
        return l;
    }

    /** An integer field in 1..max, or {@code dflt} when absent. */
    static int positiveInt(Object v, String field, int dflt, int max) {
        if (v == null) {
            return dflt;
        }
        long n;
        if (v instanceof Long l) {
            n = l;
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(field + " must be an integer, not '" + s + "'");
            }
        } else {
            throw ApiException.badRequest(field + " must be an integer");
        }
        if (n < 1 || n > max) {
            throw ApiException.badRequest(field + " must be between 1 and " + max + ", not " + n);
        }
        return (int) n;
    }

    /** CLIP reads 77 tokens; a text far longer is a mistake or an attack on the tokenizer's time. */
    static final int MAX_TEXT_CHARS = 100_000;
    /** A label or template is a phrase, and is encoded once per template. */
    static final int MAX_LABEL_CHARS = 1_000;

    /** {@code text} if it is at most {@code max} characters; 400 otherwise. */
    static String text(String text, int max, String field) {
        if (text.length() > max) {
            throw ApiException.badRequest(field + " has " + text.length() + " characters; the limit is " + max
                    + " (CLIP reads only the first 77 tokens)");
        }
        return text;
    }

    static void requireAtMost(int n, int max, String what) {
        if (n > max) {
            throw ApiException.badRequest(n + " " + what + " in one request; the limit is " + max);
        }
    }
}
