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

    static void requireAtMost(int n, int max, String what) {
        if (n > max) {
            throw ApiException.badRequest(n + " " + what + " in one request; the limit is " + max);
        }
    }
}
