package dev.jclip.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under an ASCII locale (LANG unset, C or POSIX) the JVM turns every non-ASCII letter of its arguments
 * into U+FFFD. The launcher sets a UTF-8 locale (checked by .ci/run); run directly, the jar refuses
 * such arguments instead of embedding "caf\uFFFD\uFFFD". Child JVMs, since the locale is read at start.
 */
class LocaleTest {
    private static Process java(Map<String, String> env, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("LANG");
        pb.environment().remove("LANGUAGE");
        pb.environment().keySet().removeIf(k -> k.startsWith("LC_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String run(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void anAsciiLocaleIsRefusedWithWhatToDoNotSilentlyMangled() throws Exception {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("LC_ALL", "C"), Map.of("LANG", "POSIX"))) {
            Process p = java(env, "tokenize", "--model", "unused.safetensors", "café ☕");
            String out = run(p);
            assertEquals(2, p.exitValue(), env + ": " + out);
            assertTrue(out.contains("arrived with unreadable characters") && out.contains("LC_ALL=C.UTF-8"), env + ": " + out);
        }
    }

    @Test
    void aUtf8LocaleReadsTheArgumentsAsTyped() throws Exception {
        Process p = java(Map.of("LC_ALL", "C.UTF-8"), "tokenize", "--model", "missing.safetensors", "café ☕");
        String out = run(p);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("missing.safetensors"), "gets as far as the model: " + out);
    }
}
