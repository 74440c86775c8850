package dev.jclip.tensor;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernels' own threads, as many as the cores the JVM sees ({@code -Dclip.threads=N} overrides).
 * A parallel loop splits its range into one contiguous chunk per thread; the calling thread runs the
 * first chunk itself, so a 2-core machine uses the caller plus one worker.
 *
 * <p>A forward pass makes a parallel loop per layer, 60 for a text and 120 for an image, each only
 * milliseconds (for a short text, tens of microseconds) long. A worker that parked after its chunk
 * took 15-40 µs to wake on a virtual machine (measured here), about a tenth of a short text's time,
 * so a worker spins for {@link #SPIN_NANOS} before it parks, as ONNX Runtime's pool threads do.
 *
 * <p>Several threads may call {@link #forRange} at once (a server): each chunk is offered to a free
 * worker, and one that finds no free worker runs on the caller instead, so calls never wait for
 * each other's chunks.
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
            rest[c] = new Chunk(body, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            offered[c] = WORKERS[c - 1].offer(rest[c]);
        }
        body.run(0, (int) ((long) n / chunks));
        for (int c = 1; c < chunks; c++) {
            if (!offered[c]) {                        // no free worker: the caller runs it
                body.run(rest[c].from, rest[c].to);
            }
        }
        for (int c = 1; c < chunks; c++) {
            if (offered[c]) {
                rest[c].await();
            }
        }
    }

    /** One chunk handed to a worker: its range, and how it ended. */
    private static final class Chunk {
        final RangeBody body;
        final int from;
        final int to;
        final Thread caller = Thread.currentThread();
        volatile boolean done;
        volatile Throwable failure;

        Chunk(RangeBody body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        void run() {
            try {
                body.run(from, to);
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** Called once the worker is free again, so the caller's next loop finds it free. */
        void complete() {
            done = true;
            LockSupport.unpark(caller);
        }

        /** Spins while the worker is likely busy with it, then parks; rethrows what the chunk threw. */
        void await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (!done) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);
                }
            }
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
