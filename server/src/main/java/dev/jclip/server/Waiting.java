package dev.jclip.server;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** A request's virtual thread waiting for work done elsewhere (the model, a decode): its result, or its failure as thrown there. */
final class Waiting {
    private Waiting() {
    }

    /**
     * The result of {@code work}; the exception it failed with, unwrapped; or, if this thread is
     * interrupted (a 408 or a shutdown), the work cancelled and a 503 saying what was awaited.
     */
    static <T> T result(Future<T> work, String awaited) {
        try {
            return work.get();
        } catch (InterruptedException e) {
            work.cancel(true);
            Thread.currentThread().interrupt();
            throw ApiException.overloaded("interrupted while waiting for " + awaited, 1);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
