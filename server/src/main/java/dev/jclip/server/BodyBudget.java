package dev.jclip.server;

import java.util.concurrent.Semaphore;

/**
 * How many bytes of request bodies all requests together may hold in memory, counted in KiB. The
 * queue capacity bounds how many requests wait for the model; this bounds what their bodies weigh,
 * so thirty clients sending the largest allowed body at once get 503s, not an exhausted heap.
 */
final class BodyBudget {
    private final Semaphore kib;
    private final int totalKib;

    BodyBudget(long bytes) {
        this.totalKib = (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024);
        this.kib = new Semaphore(totalKib);
    }

    /** Takes room for {@code bytes} more; the KiB taken, or -1 if there is not enough room now. */
    int tryTake(long bytes) {
        int k = (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024);
        return kib.tryAcquire(k) ? k : -1;
    }

    void give(int k) {
        kib.release(k);
    }

    long bytesInUse() {
        return (long) (totalKib - kib.availablePermits()) * 1024;
    }
}
