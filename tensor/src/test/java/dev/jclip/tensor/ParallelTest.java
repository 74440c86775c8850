package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels' parallel loops: every index once, from many callers at once, failures passed back. */
class ParallelTest {
    /** One of the two loops, over [0, n). */
    @FunctionalInterface
    private interface Loop {
        void run(int n, Parallel.RangeBody body);
    }

    @Test
    void everyIndexRunsExactlyOnceFromManyCallersAtOnce() throws Exception {
        assertEveryIndexRunsOncePerLoop(1000, (n, body) -> Parallel.forRange(n, 1, body));
    }

    @Test
    void everyPieceRunsExactlyOnceFromManyCallersAtOnce() throws Exception {
        int piece = 7;                              // 1001 is not a multiple of it: a short last piece
        assertEveryIndexRunsOncePerLoop(1001, (n, body) -> Parallel.forPieces(n, piece, (from, to) -> {
            assertEquals(0, from % piece, "a piece starts on a multiple of the piece size");
            assertEquals(Math.min(n, from + piece), to, "a piece is whole but for the last");
            body.run(from, to);
        }));
    }

    /** 8 callers at once, 200 loops each over [0, n): each sees every index once per loop. */
    private static void assertEveryIndexRunsOncePerLoop(int n, Loop loop) throws Exception {
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<AtomicIntegerArray>> results = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                results.add(pool.submit(() -> {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    for (int round = 0; round < 200; round++) {
                        loop.run(n, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                seen.incrementAndGet(i);
                            }
                        });
                    }
                    return seen;
                }));
            }
            for (Future<AtomicIntegerArray> f : results) {
                AtomicIntegerArray seen = f.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < n; i++) {
                    assertEquals(200, seen.get(i), "index " + i + " runs once per loop");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void piecesGoToWhicheverThreadIsFree() {
        // Whichever thread claims a piece first is held there for 200 ms; meanwhile the others take the rest.
        AtomicReference<Thread> slow = new AtomicReference<>();
        Thread[] ranBy = new Thread[20];
        Parallel.forPieces(20, 1, (from, to) -> {
            ranBy[from] = Thread.currentThread();
            if (slow.compareAndSet(null, Thread.currentThread())) {
                sleep(200);
            }
        });
        int bySlow = 0;
        for (Thread t : ranBy) {
            bySlow += t == slow.get() ? 1 : 0;
        }
        assertEquals(Parallel.threads() > 1 ? 1 : 20, bySlow, "pieces run by the thread that was held up");
    }

    @Test
    void aFailureInAnyPieceReachesTheCallerAfterTheOthersStop() {
        for (int failing = 0; failing < 10; failing++) {
            int bad = failing;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    Parallel.forPieces(10, 1, (from, to) -> {
                        if (from == bad) {
                            throw new IllegalArgumentException("piece " + bad);
                        }
                    }));
            assertEquals("piece " + bad, e.getMessage());
        }
        int[] sum = new int[1];
        Parallel.forPieces(5, 1, (from, to) -> {
            synchronized (sum) {
                sum[0] += to - from;
            }
        });
        assertEquals(5, sum[0], "and the loop still works");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCaller() {
        assertTrue(Parallel.threads() >= 1);
        for (int failing = 0; failing < Parallel.threads(); failing++) {
            int chunk = failing;
            int n = Parallel.threads() * 10;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    Parallel.forRange(n, 10, (from, to) -> {
                        if (from == chunk * 10) {
                            throw new IllegalArgumentException("chunk " + chunk);
                        }
                    }));
            assertEquals("chunk " + chunk, e.getMessage());
        }
        int[] sum = new int[1];
        Parallel.forRange(1, 1, (from, to) -> sum[0] += to - from);   // and the loop still works
        assertEquals(1, sum[0]);
    }
}
