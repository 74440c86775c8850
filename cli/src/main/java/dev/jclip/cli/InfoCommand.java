package dev.jclip.cli;

import dev.jclip.core.ClipModel;

import java.util.Set;

/** {@code ./clip info --model M}: the model's config as one JSON line. */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String usage() {
        return "info --model M                                       the model's config (sizes, preprocessing)";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) {
        try (ClipModel clip = Models.open(args)) {
            console.out().println(clip.config().toJson());
        }
        return 0;
    }
}
