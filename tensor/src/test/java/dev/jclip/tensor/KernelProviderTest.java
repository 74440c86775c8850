package dev.jclip.tensor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which kernels a JVM gets, decided in fresh JVMs started with and without the Vector API module. */
class KernelProviderTest {
    /** Prints the chosen kernels' name; run in a child JVM. */
    public static final class PrintKernels {
        public static void main(String[] args) {
            System.out.println(KernelProvider.kernels().name());
        }
    }

    private record Run(String out, String err) {
    }

    private static Run child(String... jvmArgs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintKernels.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        return new Run(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void simdWhenTheModuleIsThere() throws Exception {
        Run r = child("--add-modules", "jdk.incubator.vector");
        assertTrue(r.out().startsWith("simd-"), r.out() + r.err());
        assertTrue(!r.err().contains("scalar kernels"), r.err());
    }

    @Test
    void scalarWithOneLineSayingWhyWhenTheModuleIsAbsent() throws Exception {
        Run r = child();
        assertEquals("scalar", r.out());
        List<String> said = r.err().lines().filter(l -> l.startsWith("clip:")).toList();
        assertEquals(1, said.size(), r.err());
        assertTrue(said.getFirst().contains("--add-modules jdk.incubator.vector"), said.getFirst());
    }

    @Test
    void scalarSilentlyWhenAskedFor() throws Exception {
        Run r = child("--add-modules", "jdk.incubator.vector", "-Dclip.simd=false");
        assertEquals("scalar", r.out());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("clip:")), r.err());
    }
}
