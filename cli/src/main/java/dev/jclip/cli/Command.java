package dev.jclip.cli;

import java.util.List;

/** One {@code ./clip} subcommand. */
interface Command {
    String name();

    /** One line for {@code ./clip --help}. */
    String usage();

    Args.Spec spec();

    /** Runs with parsed options; returns the exit status (0, or 1 if some inputs failed). */
    int run(Args args, Console console) throws Exception;

    default int run(List<String> argv, Console console) throws Exception {
        return run(Args.parse(argv, spec()), console);
    }
}
