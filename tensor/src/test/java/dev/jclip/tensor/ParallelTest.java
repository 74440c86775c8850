package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels' parallel loop: every index once, from many callers at once, failures passed back. */
class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceFromManyCallersAtOnce() throws Exception {
        int callers = 8;
        int n = 1000;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<AtomicIntegerArray>> results = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                results.add(pool.submit(() -> {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    for (int round = 0; round < 200; round++) {
                        Parallel.forRange(n, 1, (from, to) -> {
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
