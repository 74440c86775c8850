package dev.jclip.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A {@code multipart/form-data} body (RFC 7578) split into its parts; anything malformed is a 400. */
final class Multipart {
    private static final int MAX_PARTS = 1000;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    /** One form field or file, by the name its Content-Disposition gives it. */
    record Part(String name, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {
    }

    static List<Part> parse(byte[] body, String contentType) {
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw ApiException.badRequest("multipart/form-data without a boundary parameter");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw ApiException.badRequest("multipart body does not contain its boundary");
        }
        pos += delimiter.length;
        List<Part> parts = new ArrayList<>();
        while (true) {
            if (startsWith(body, pos, new byte[]{'-', '-'})) {
                return parts;   // the closing delimiter
            }
            if (!startsWith(body, pos, CRLF)) {
                throw ApiException.badRequest("malformed multipart body (no line break after a boundary)");
            }
            int headersStart = pos + 2;
            int headersEnd = indexOf(body, HEADER_END, headersStart);
            if (headersEnd < 0) {
                throw ApiException.badRequest("malformed multipart body (a part's headers do not end)");
            }
            int dataEnd = indexOf(body, next, headersEnd + 4);
            if (dataEnd < 0) {
                throw ApiException.badRequest("malformed multipart body (a part is not closed by the boundary)");
            }
            if (parts.size() == MAX_PARTS) {
                throw ApiException.badRequest("more than " + MAX_PARTS + " parts in a multipart body");
            }
            String name = null;
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    throw ApiException.badRequest("malformed multipart part header '" + line + "'");
                }
                String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                if (key.equals("content-disposition")) {
                    name = parameter(value, "name");
                }
            }
            if (name == null) {
                throw ApiException.badRequest("a multipart part has no name in its Content-Disposition");
            }
            byte[] data = Arrays.copyOfRange(body, headersEnd + 4, dataEnd);
            parts.add(new Part(name, data));
            pos = dataEnd + next.length;
        }
    }

    /** A parameter of a header value such as {@code form-data; name="image"}, quotes removed; null if absent. */
    static String parameter(String headerValue, String name) {
        if (headerValue == null) {
            return null;
        }
        int i = headerValue.indexOf(';');
        while (i >= 0 && i < headerValue.length()) {
            int start = i + 1;
            while (start < headerValue.length() && headerValue.charAt(start) == ' ') {
                start++;
            }
            int eq = headerValue.indexOf('=', start);
            if (eq < 0) {
                return null;
            }
            String key = headerValue.substring(start, eq).strip();
            String value;
            int end;
            if (eq + 1 < headerValue.length() && headerValue.charAt(eq + 1) == '"') {
                StringBuilder sb = new StringBuilder();
                end = eq + 2;
                while (end < headerValue.length() && headerValue.charAt(end) != '"') {
                    char c = headerValue.charAt(end);
                    if (c == '\\' && end + 1 < headerValue.length()) {
                        c = headerValue.charAt(++end);
                    }
                    sb.append(c);
                    end++;
                }
                value = sb.toString();
                end = headerValue.indexOf(';', end);
            } else {
                end = headerValue.indexOf(';', eq);
                value = (end < 0 ? headerValue.substring(eq + 1) : headerValue.substring(eq + 1, end)).strip();
            }
            if (key.equalsIgnoreCase(name)) {
                return value;
            }
            i = end;
        }
        return null;
    }

    private static boolean startsWith(byte[] a, int at, byte[] prefix) {
        if (at + prefix.length > a.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] a, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= a.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (a[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
