package dev.jclip.server;

import java.util.concurrent.Semaphore;

/**
 * How much memory request bodies may take, all requests together, counted in KiB. A body is charged
 * {@value #COPIES} times its size: besides its bytes, parsing makes copies (the JSON text as a
 * string, the base64 field, its decoded bytes, a multipart part), and charging the raw bytes alone let
 * forty 19 MB JSON bodies, each within the budget, take 2 GB. The queue capacity bounds how many
 * requests wait for the model; this bounds what their bodies weigh, so thirty clients sending the
 * largest allowed body at once get 503s, not an exhausted heap.
 */
final class BodyBudget {
    /** What a body of n bytes costs while it is read and parsed, measured as a multiple of n. */
    static final int COPIES = 4;

    private final Semaphore kib;
    private final int totalKib;

    BodyBudget(long bytes) {
        this.totalKib = (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024);
        this.kib = new Semaphore(totalKib);
    }

    /** The budget for bodies of up to {@code maxBody} bytes: at least one of the largest always fits. */
    static BodyBudget of(long bufferedBytes, long maxBody) {
        return new BodyBudget(Math.max(bufferedBytes, COPIES * maxBody));
    }

    /** Takes room for a body of {@code bytes} more (and its copies); the KiB taken, or -1 if there is not enough room now. */
    int tryTake(long bytes) {
        int k = (int) Math.min(Integer.MAX_VALUE, (COPIES * bytes + 1023) / 1024);
        return kib.tryAcquire(k) ? k : -1;
    }

    void give(int k) {
        kib.release(k);
    }

    long bytesInUse() {
        return (long) (totalKib - kib.availablePermits()) * 1024;
    }
}
