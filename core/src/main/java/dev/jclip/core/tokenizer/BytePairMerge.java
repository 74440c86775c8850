package dev.jclip.core.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * BPE merging of one piece with the reference's semantics: repeatedly take the lowest-ranked
 * adjacent pair and merge all its non-overlapping occurrences, left to right. The reference's loop
 * rescans the whole piece for every rank it applies, which a long word without spaces (one
 * request's worth of random letters) turns into minutes. Here the pairs wait in a priority queue by
 * (rank, position), and each round merges every occurrence of one rank before queuing the pairs
 * that round created: the same rounds, in O(n log n).
 */
final class BytePairMerge {
    private BytePairMerge() {
    }

    /** The merged symbols of {@code symbols}; {@code ranks} maps "left right" to the merge's rank. */
    static List<String> merge(List<String> symbols, Map<String, Integer> ranks) {
        int n = symbols.size();
        String[] sym = symbols.toArray(new String[0]);   // null once merged into its left neighbour
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Long> queue = new PriorityQueue<>();   // rank << 32 | position of the left symbol
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, ranks, sym, i, i + 1);
        }
        List<Integer> round = new ArrayList<>();
        List<Integer> merged = new ArrayList<>();
        while (!queue.isEmpty()) {
            int rank = (int) (queue.peek() >>> 32);
            round.clear();
            while (!queue.isEmpty() && (int) (queue.peek() >>> 32) == rank) {
                round.add((int) (long) queue.poll());     // positions ascending: left to right
            }
            merged.clear();
            for (int left : round) {
                int right = sym[left] == null ? -1 : next[left];
                // Stale entries (a neighbour merged since it was queued) no longer name this rank's pair.
                if (right < 0 || !Objects.equals(ranks.get(sym[left] + " " + sym[right]), rank)) {
                    continue;
                }
                sym[left] = sym[left] + sym[right];
                sym[right] = null;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                merged.add(left);
            }
            for (int left : merged) {
                if (prev[left] >= 0) {
                    offer(queue, ranks, sym, prev[left], left);
                }
                if (next[left] >= 0) {
                    offer(queue, ranks, sym, left, next[left]);
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(sym[i]);
        }
        return out;
    }

    private static void offer(PriorityQueue<Long> queue, Map<String, Integer> ranks, String[] sym, int left, int right) {
        Integer r = ranks.get(sym[left] + " " + sym[right]);
        if (r != null) {
            queue.add((long) r << 32 | left);
        }
    }
}
