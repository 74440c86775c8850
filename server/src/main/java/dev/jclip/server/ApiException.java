package dev.jclip.server;

import java.util.Map;

/**
 * A request the server refuses, answered as {@code {"error": {"message", "type"}}} with {@code status}.
 * The types follow OpenAI's error objects where one fits.
 */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final Map<String, String> headers;

    ApiException(int status, String type, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.type = type;
        this.headers = headers;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request_error", message, Map.of());
    }

    static ApiException invalidImage(String message) {
        return new ApiException(400, "invalid_image", message, Map.of());
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "authentication_error", message, Map.of("WWW-Authenticate", "Bearer realm=\"clip\""));
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found_error", message, Map.of());
    }

    static ApiException methodNotAllowed(String method, String allowed) {
        return new ApiException(405, "method_not_allowed", method + " is not allowed here; use " + allowed,
                Map.of("Allow", allowed));
    }

    static ApiException timeout(String message) {
        return new ApiException(408, "request_timeout", message, Map.of());
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, "request_too_large", message, Map.of());
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "unsupported_media_type", message, Map.of());
    }

    static ApiException overloaded(String message, int retryAfterSeconds) {
        return new ApiException(503, "overloaded", message, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    static ApiException internal(String message) {
        return new ApiException(500, "server_error", message, Map.of());
    }
}
