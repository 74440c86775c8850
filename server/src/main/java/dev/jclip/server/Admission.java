package dev.jclip.server;

import java.util.concurrent.Semaphore;

/**
 * How many requests may be inside the inference path at once: decoding their images, waiting in the
 * queue, or running on the model. A request enters only once its body has been read and checked
 * ({@link HttpCall#admit()}), so a slow upload or a malformed request never holds a place, and a
 * well-formed one is never refused for the misbehaviour of others. One more than the capacity is
 * answered 503 with {@code Retry-After} instead of a queue that grows without bound.
 */
final class Admission {
    private final int capacity;
    private final Semaphore places;

    Admission(int capacity) {
        this.capacity = capacity;
        this.places = new Semaphore(capacity);
    }

    /** Takes a place, or throws the 503. */
    void enter() {
        if (!places.tryAcquire()) {
            throw ApiException.overloaded("the inference queue is full (" + capacity + " requests); retry shortly", 1);
        }
    }

    void leave() {
        places.release();
    }

    int inFlight() {
        return capacity - places.availablePermits();
    }
}
