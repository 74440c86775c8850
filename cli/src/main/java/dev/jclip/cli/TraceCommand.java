package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.model.Trace;
import dev.jclip.core.safetensors.DType;
import dev.jclip.core.safetensors.SafeTensorsFile;
import dev.jclip.core.safetensors.SafeTensorsWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip trace --model M (--image PATH | --text T) [--compare REF.safetensors] [--out F]}:
 * one forward pass, layer by layer: each activation's state-dict name (as in OpenAI's
 * clip/model.py), shape and summary statistics, and with {@code --compare} the largest difference
 * from a reference trace holding tensors of the same names ({@code scripts/reference_trace.py}
 * makes one). A text is padded with 0 to the context length, as {@code clip.tokenize} pads it.
 */
final class TraceCommand implements Command {
    @Override
    public String name() {
        return "trace";
    }

    @Override
    public String usage() {
        return "trace --model M (--image PATH | --text T) [--compare REF] [--out F]  every layer's shape and statistics";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--image", "--text", "--compare", "--out"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        String model = Models.name(args);
        args.requireNoPositional("use --image or --text");
        String image = args.one("--image");
        String text = args.one("--text");
        if ((image == null) == (text == null)) {
            throw new UsageException("trace needs exactly one of --image or --text");
        }
        Map<String, float[]> steps = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Trace trace = (name, values, offset, rows, width) -> {
            steps.put(name, Arrays.copyOfRange(values, offset, offset + rows * width));
            shapes.put(name, new long[]{rows, width});
        };
        try (ClipModel clip = Models.open(model)) {
            PrintStream out = console.out();
            if (image != null) {
                float[] pixels = clip.preprocess(Path.of(image));
                int s = clip.config().vision().imageSize();
                steps.put("pixel_values", pixels);                         // the input, as CLIPProcessor names it
                shapes.put("pixel_values", new long[]{3, s, s});
                clip.encodePixels(pixels, trace);
            } else {
                Texts.requireNonBlank(List.of(text));
                int[] ids = clip.tokenize(text);
                int[] padded = Arrays.copyOf(ids, clip.config().text().contextLength());   // clip.tokenize pads with 0
                out.println("input_ids [" + padded.length + "]: " + ids.length + " tokens, then padding");
                clip.encodeTokens(padded, trace);
            }
            SafeTensorsFile reference = args.one("--compare") == null ? null : SafeTensorsFile.open(Path.of(args.one("--compare")));
            try {
                Largest largest = new Largest();
                for (Map.Entry<String, float[]> step : steps.entrySet()) {
                    float[] want = reference == null ? null : referenceOf(reference, step.getKey(), step.getValue().length, out);
                    Double diff = print(out, step.getKey(), shapes.get(step.getKey()), step.getValue(), want);
                    largest.offer(step.getKey(), diff);
                }
                if (reference != null) {
                    out.println(largest.name == null
                            ? "no step of this trace is in " + reference.path()
                            : String.format(Locale.ROOT, "largest difference from %s: %.2e at %s", reference.path(), largest.diff, largest.name));
                }
            } finally {
                if (reference != null) {
                    reference.close();
                }
            }
        }
        if (args.one("--out") != null) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (Map.Entry<String, float[]> step : steps.entrySet()) {
                float[] v = step.getValue();
                w.addFloats(step.getKey(), DType.F32, shapes.get(step.getKey()), () -> v);
            }
            w.write(Path.of(args.one("--out")));
        }
        return 0;
    }

    /** The reference's tensor for a step, or null (with a note) when it has none of that size. */
    private static float[] referenceOf(SafeTensorsFile reference, String name, int size, PrintStream out) {
        if (!reference.names().contains(name)) {
            return null;
        }
        float[] want = reference.floats(name);
        if (want.length != size) {
            out.println("  (the reference's " + name + " has " + want.length + " values, not " + size + ")");
            return null;
        }
        return want;
    }

    /** One line: name, shape, mean, std, min, max, and the largest |difference| from {@code want}. */
    private static Double print(PrintStream out, String name, long[] shape, float[] v, float[] want) {
        double sum = 0;
        double sq = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length;
        double std = Math.sqrt(Math.max(0, sq / v.length - mean * mean));
        String line = String.format(Locale.ROOT, "%-40s %-14s mean %9.4f  std %8.4f  min %9.4f  max %9.4f",
                name, Arrays.toString(shape).replace(" ", ""), mean, std, min, max);
        Double diff = null;
        if (want != null) {
            double d = 0;
            for (int i = 0; i < v.length; i++) {
                d = Math.max(d, Math.abs((double) v[i] - want[i]));
            }
            diff = d;
            line += String.format(Locale.ROOT, "  max |diff| %.2e", d);
        }
        out.println(line);
        return diff;
    }

    private static final class Largest {
        String name;
        double diff = -1;

        void offer(String step, Double d) {
            if (d != null && d > diff) {
                name = step;
                diff = d;
            }
        }
    }
}
