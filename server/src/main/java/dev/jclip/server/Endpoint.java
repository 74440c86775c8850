package dev.jclip.server;

import java.io.IOException;

/** Answers one route; throws {@link ApiException} to refuse. */
@FunctionalInterface
interface Endpoint {
    void handle(HttpCall call) throws IOException;
}
