package dev.jclip.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernels' own threads, as many as the cores the JVM sees ({@code -Dclip.threads=N} overrides).
 * The calling thread takes part in its own loops, so a 2-core machine uses the caller plus one
 * worker. Two kinds of loop: {@link #forRange} gives each thread one contiguous chunk, fixed in
 * advance, for work that must stay with one thread from start to end; {@link #forPieces} cuts the
 * range into small pieces that each thread claims as it becomes free, so a thread that runs slower
 * for a while (a virtual CPU the host took away, a cache another process filled) does fewer of them
 * instead of keeping the other waiting. Measured on a 2-vCPU virtual machine, fixed halves left the
 * caller waiting ~10% of an image's time for its worker and the worker about as long for the
 * caller, though over a whole pass both threads did the same amount of work.
 *
 * <p>A forward pass makes a parallel loop per layer, 60 for a text and 120 for an image, each only
 * milliseconds (for a short text, tens of microseconds) long. A worker that parked after its chunk
 * took 15-40 µs to wake on a virtual machine (measured here), about a tenth of a short text's time,
 * so a worker spins for {@link #SPIN_NANOS} before it parks, as ONNX Runtime's pool threads do.
 *
 * <p>Several threads may call these loops at once (a server): work is offered only to a free worker,
 * and what finds none runs on the caller instead, so calls never wait for each other's work.
 */
public final class Parallel {
    /** Loop body over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = Integer.getInteger("clip.threads", Runtime.getRuntime().availableProcessors());
    /** How long an idle worker polls for its next chunk before it parks. */
    private static final long SPIN_NANOS = 200_000;
    private static final Worker[] WORKERS = startWorkers(Math.max(0, THREADS - 1));

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over [0, n) split into at most {@link #threads()} chunks of at least {@code grain}. */
    public static void forRange(int n, int grain, RangeBody body) {
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        Chunk[] rest = new Chunk[chunks];
        boolean[] offered = new boolean[chunks];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            rest[c] = new Chunk(() -> body.run(from, to));
            offered[c] = WORKERS[c - 1].offer(rest[c]);
        }
        body.run(0, (int) ((long) n / chunks));
        for (int c = 1; c < chunks; c++) {
            if (!offered[c]) {                        // no free worker: the caller runs it
                rest[c].work.run();
            }
        }
        for (int c = 1; c < chunks; c++) {
            if (offered[c]) {
                rest[c].await();
            }
        }
    }

    /**
     * Runs {@code body} over [0, n) in pieces of {@code piece} indices (the last may be shorter),
     * each claimed by the first thread free to take it; {@code body} may run on any thread and any
     * number of times per thread. The caller returns once every piece has run; if a piece throws,
     * pieces not yet claimed are left out and the failure reaches the caller.
     */
    public static void forPieces(int n, int piece, RangeBody body) {
        int pieces = (n + piece - 1) / piece;
        int helpers = Math.min(WORKERS.length, pieces - 1);
        if (helpers <= 0) {
            body.run(0, n);
            return;
        }
        Pieces claims = new Pieces(n, piece, body);
        Chunk[] offered = new Chunk[helpers];
        for (int w = 0; w < helpers; w++) {
            Chunk chunk = new Chunk(claims::drain);
            offered[w] = WORKERS[w].offer(chunk) ? chunk : null;
        }
        try {
            claims.drain();                           // a failing piece stops the others claiming
        } catch (RuntimeException | Error e) {
            for (Chunk chunk : offered) {             // no worker may still write once the caller has returned
                if (chunk != null) {
                    chunk.awaitQuietly();
                }
            }
            throw e;
        }
        for (Chunk chunk : offered) {
            if (chunk != null) {
                chunk.await();
            }
        }
    }

    /** The pieces of one {@link #forPieces} loop and the next one to claim. */
    private static final class Pieces {
        final int n;
        final int piece;
        final RangeBody body;
        final AtomicInteger next = new AtomicInteger();

        Pieces(int n, int piece, RangeBody body) {
            this.n = n;
            this.piece = piece;
            this.body = body;
        }

        /** Claims and runs pieces until none is left. */
        void drain() {
            try {
                for (int from; (from = next.getAndAdd(piece)) < n; ) {
                    body.run(from, Math.min(n, from + piece));
                }
            } catch (RuntimeException | Error e) {
                stop();
                throw e;
            }
        }

        void stop() {
            next.set(n);
        }
    }

    /** Work handed to a worker, and how it ended. */
    private static final class Chunk {
        final Runnable work;
        final Thread caller = Thread.currentThread();
        volatile boolean done;
        volatile Throwable failure;

        Chunk(Runnable work) {
            this.work = work;
        }

        void run() {
            try {
                work.run();
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** Called once the worker is free again, so the caller's next loop finds it free. */
        void complete() {
            done = true;
            LockSupport.unpark(caller);
        }

        /** Spins while the worker is likely busy with it, then parks; rethrows what the work threw. */
        void await() {
            awaitQuietly();
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }

        /** Waits for the worker to finish, whatever the work did. */
        void awaitQuietly() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (!done) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);
                }
            }
        }
    }

    /** A daemon thread that runs one chunk at a time from its slot. */
    private static final class Worker extends Thread {
        private final AtomicReference<Chunk> slot = new AtomicReference<>();

        Worker(int index) {
            super("clip-kernel-" + index);
            setDaemon(true);
        }

        /** Hands {@code chunk} to this worker if it is free. */
        boolean offer(Chunk chunk) {
            if (!slot.compareAndSet(null, chunk)) {
                return false;
            }
            LockSupport.unpark(this);
            return true;
        }

        @Override
        public void run() {
            while (true) {
                Chunk chunk = slot.get();
                if (chunk == null) {
                    long spinUntil = System.nanoTime() + SPIN_NANOS;
                    while ((chunk = slot.get()) == null && System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    }
                    if (chunk == null) {
                        LockSupport.park(this);       // offer() unparks; a spurious wake just loops
                        continue;
                    }
                }
                chunk.run();
                slot.set(null);
                chunk.complete();
            }
        }
    }

    private static Worker[] startWorkers(int count) {
        Worker[] workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
        return workers;
    }
}
