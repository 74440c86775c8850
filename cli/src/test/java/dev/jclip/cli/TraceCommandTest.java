package dev.jclip.cli;

import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.safetensors.SafeTensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./clip trace}: every step by its state-dict name and shape, and the step a reference disagrees on. */
class TraceCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void convert() {
        model = MainTest.tinyModel(dir);
    }

    @Test
    void imageTraceNamesEveryStepWithItsShape() {
        MainTest.Result r = MainTest.run("trace", "--model", model.toString(), "--image", MainTest.image(0));
        assertEquals(0, r.status(), r.err());
        List<String> names = r.out().lines().map(l -> l.split("\\s+")[0] + " " + l.split("\\s+")[1]).toList();
        assertEquals(List.of("pixel_values [3,224,224]", "visual.ln_pre [257,128]",
                "visual.transformer.resblocks.0 [257,128]", "visual.transformer.resblocks.1 [257,128]",
                "visual.ln_post [1,128]", "visual.proj [1,32]"), names);
    }

    @Test
    void compareNamesTheStepThatDiffers() throws IOException {
        Path own = dir.resolve("own.safetensors");
        MainTest.Result first = MainTest.run("trace", "--model", model.toString(), "--text", "a photo of a cat", "--out", own.toString());
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().startsWith("input_ids [77]: 7 tokens"), first.out());

        MainTest.Result same = MainTest.run("trace", "--model", model.toString(), "--text", "a photo of a cat", "--compare", own.toString());
        assertTrue(same.out().contains("largest difference from " + own + ": 0.00e+00"), same.out());

        Path shifted = dir.resolve("shifted.safetensors");   // the same trace with block 1 off by 0.25
        try (SafeTensorsFile f = SafeTensorsFile.open(own)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (String name : f.names()) {
                float[] v = f.floats(name);
                if (name.equals("transformer.resblocks.1")) {
                    v[5] += 0.25f;
                }
                w.addFloats(name, DType.F32, f.info(name).shape(), () -> v);
            }
            w.write(shifted);
        }
        MainTest.Result r = MainTest.run("trace", "--model", model.toString(), "--text", "a photo of a cat", "--compare", shifted.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("largest difference from " + shifted + ": 2.50e-01 at transformer.resblocks.1"), r.out());
    }

    @Test
    void needsExactlyOneInput() {
        MainTest.Result r = MainTest.run("trace", "--model", model.toString(), "--image", MainTest.image(0), "--text", "a cat");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("trace needs exactly one of --image or --text"), r.err());
    }

    @Test
    void aReferenceThatIsNotSafetensorsIsAnErrorNamingIt() throws IOException {
        Path bad = dir.resolve("not-a-trace.safetensors");
        Files.writeString(bad, "this is not a safetensors file");
        MainTest.Result r = MainTest.run("trace", "--model", model.toString(), "--text", "a cat", "--compare", bad.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(bad.toString()), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
