package dev.jclip.cli;

import dev.jclip.convert.Converter;
import dev.jclip.core.safetensors.DType;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code ./clip convert SRC DST.safetensors [--dtype f32|f16|bf16]}. */
final class ConvertCommand implements Command {
    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String usage() {
        return "convert SRC DST.safetensors [--dtype f32|f16|bf16]   HF folder, OpenAI or GmP checkpoint -> one runtime file";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--dtype"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws Exception {
        List<String> pos = args.positional();
        if (pos.size() != 2) {
            throw new UsageException("convert takes SRC and DST.safetensors (got " + pos.size() + " arguments)");
        }
        DType dtype = null;
        if (args.one("--dtype") != null) {
            try {
                dtype = DType.parseFloat(args.one("--dtype"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--dtype: " + e.getMessage());
            }
        }
        Path src = Path.of(pos.get(0));
        Path dst = Path.of(pos.get(1));
        long t0 = System.nanoTime();
        Converter.convert(src, dst, dtype);
        console.err().printf("converted %s -> %s in %.1f s%n", src, dst, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
