package dev.jclip.tensor.simd;

import dev.jclip.tensor.FmaProbe;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The machine's fp32 FMA peak as the Vector API reaches it: every thread runs 12 independent
 * accumulator chains (enough to cover the FMA latency on two ports) of {@code a = a·b + c} on
 * registers, no memory. Every kernel's GFLOP/s is reported as a share of this.
 */
final class FmaPeak {
    private static final int CHAINS = 12;
    private static final int STEPS = 1 << 14;   // FMAs per chain per round: short, so the JIT's compiled code takes over early

    private FmaPeak() {
    }

    /** GFLOP/s of all kernel threads together, over about {@code millis} ms; 2 flops per FMA lane. */
    static double gflops(int millis) {
        return FmaProbe.gflops(millis, (double) STEPS * CHAINS * Widen.L * 2, FmaPeak::round);
    }

    /** One round: CHAINS × STEPS vector FMAs; the result keeps the JIT from dropping them. */
    private static float round(float seed) {
        FloatVector m = FloatVector.broadcast(Widen.F, 0.999999f);
        FloatVector d = FloatVector.broadcast(Widen.F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(Widen.F, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(m, d);
            a1 = a1.fma(m, d);
            a2 = a2.fma(m, d);
            a3 = a3.fma(m, d);
            a4 = a4.fma(m, d);
            a5 = a5.fma(m, d);
            a6 = a6.fma(m, d);
            a7 = a7.fma(m, d);
            a8 = a8.fma(m, d);
            a9 = a9.fma(m, d);
            a10 = a10.fma(m, d);
            a11 = a11.fma(m, d);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(
                VectorOperators.ADD);
    }
}
