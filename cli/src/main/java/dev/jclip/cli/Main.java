package dev.jclip.cli;

import dev.jclip.hub.ModelHub;
import dev.jclip.tensor.KernelProvider;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ./clip}: the command line. Exit status 0 on success, 1 when some inputs of a batch failed
 * (each reported on stderr, the rest processed), 2 on a usage error or a failure that stops the run,
 * reported as one {@code error: …} line; {@code --verbose} adds the stack trace.
 */
public final class Main {
    private static final List<Command> COMMANDS = List.of(new ConvertCommand(), new TokenizeCommand(),
            new PreprocessCommand(), new EmbedCommand(), new SimilarityCommand(), new ClassifyCommand(), new DescribeCommand(), new IndexCommand(),
            new SearchCommand(), new ExportCommand(), new ServeCommand(), new InfoCommand(),
            new TraceCommand(), new BenchCommand());

    /**
     * Lucene says on stderr, through java.util.logging, that it found the Vector API, each time a
     * graph is opened in a new JVM; as with the JVM's own incubator notice, the CLI keeps that quiet.
     * Held here: java.util.logging keeps loggers only weakly.
     */
    private static final Logger LUCENE_VECTORIZATION = Logger.getLogger("org.apache.lucene.internal.vectorization");

    private Main() {
    }

    public static void main(String[] argv) {
        LUCENE_VECTORIZATION.setLevel(Level.WARNING);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        // The bar is drawn only on a terminal; asked here, since err wraps System.err in a new stream.
        boolean terminal = System.console() != null && System.console().isTerminal();
        int status = run(argv, out, err, terminal);
        out.flush();
        System.exit(status);
    }

    /**
     * An argument that the JVM could not decode with the locale's charset (it holds U+FFFD, the
     * replacement character), when that charset is not UTF-8; null if there is none. Under an ASCII
     * locale, "café" would otherwise be embedded as "caf\uFFFD\uFFFD" without a word.
     */
    private static String undecodableArgument(List<String> args) {
        String charset = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (charset.equalsIgnoreCase("UTF-8")) {
            return null;
        }
        return args.stream().filter(a -> a.indexOf('\uFFFD') >= 0).findFirst().orElse(null);
    }

    /** Runs one command line, as if stderr were not a terminal; never throws, never exits. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        return run(argv, out, err, false);
    }

    /** Runs one command line; {@code terminal}: stderr is a terminal (progress bars are drawn). */
    public static int run(String[] argv, PrintStream out, PrintStream err, boolean terminal) {
        List<String> args = new ArrayList<>(List.of(argv));
        boolean verbose = args.remove("--verbose");
        Console console = new Console(out, err, verbose, terminal);
        if (!args.isEmpty() && (args.getFirst().equals("--version") || args.getFirst().equals("version"))) {
            version(out);
            return 0;
        }
        if (args.size() == 2 && args.getFirst().equals("help")) {
            args = new ArrayList<>(List.of(args.get(1), "--help"));
        }
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h") || args.getFirst().equals("help")) {
            help(args.isEmpty() ? err : out);
            return args.isEmpty() ? 2 : 0;
        }
        String undecodable = undecodableArgument(args);
        if (undecodable != null) {
            err.println("error: the argument '" + undecodable + "' arrived with unreadable characters: this JVM reads its "
                    + "arguments as " + System.getProperty("sun.jnu.encoding") + ", from the locale; run it with a UTF-8 "
                    + "locale, e.g. LC_ALL=C.UTF-8 (./clip does this itself)");
            return 2;
        }
        String name = args.removeFirst();
        Command command = COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (command == null) {
            err.println("error: unknown command '" + name + "' (try ./clip --help)");
            return 2;
        }
        if (args.contains("--help") || args.contains("-h")) {
            OptionHelp.lines(command).forEach(out::println);
            return 0;
        }
        try {
            return command.run(args, console);
        } catch (Exception | OutOfMemoryError e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            err.println("error: " + message.lines().findFirst().orElse(message));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 2;
        } finally {
            out.flush();
        }
    }

    /** jclip's version, the Java it runs on, and the kernels in use (SIMD width, or scalar and why). */
    private static void version(PrintStream s) {
        String v = Main.class.getPackage().getImplementationVersion();
        s.println("jclip " + (v == null ? "(development build)" : v));
        s.println("Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        s.println("kernels: " + KernelProvider.kernels().name() + " on " + Runtime.getRuntime().availableProcessors() + " cores");
    }

    private static void help(PrintStream s) {
        s.println("jclip: CLIP image and text embeddings in pure Java");
        s.println();
        s.println("usage: ./clip COMMAND [options]   (./clip help COMMAND for its options; --verbose prints stack traces; --version)");
        for (Command c : COMMANDS) {
            s.println("  " + c.usage());
        }
        s.println();
        s.println("M (default " + ModelHub.DEFAULT_MODEL + ") is a converted .safetensors file, an HF model");
        s.println("folder or OpenAI / GmP .safetensors checkpoint (converted in memory on each run), or a Hub id");
        s.println("org/name[@revision]: taken from $CLIP_HOME (~/.cache/jclip), else from the Hugging Face cache");
        s.println("($HF_HOME, ~/.cache/huggingface), else downloaded from $HF_ENDPOINT (HF_TOKEN if set; never with");
        s.println("HF_HUB_OFFLINE=1), and converted once.");
    }
}
