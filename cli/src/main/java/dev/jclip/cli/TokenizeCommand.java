package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code ./clip tokenize --model M TEXT...}: one {@code {"text", "ids"}} line per text. */
final class TokenizeCommand implements Command {
    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public String usage() {
        return "tokenize --model M TEXT...                           token ids, <|startoftext|> to <|endoftext|>";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) {
        String model = Models.name(args);
        List<String> texts = args.positional();
        if (texts.isEmpty()) {
            throw new UsageException("tokenize needs at least one TEXT");
        }
        Texts.requireNonBlank(texts);
        try (ClipModel clip = Models.open(model)) {
            for (String text : texts) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("text", text);
                line.put("ids", clip.tokenize(text));
                console.out().println(Json.write(line));
            }
        }
        return 0;
    }
}
