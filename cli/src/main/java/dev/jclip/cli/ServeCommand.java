package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.server.ClipServer;
import dev.jclip.server.ServerOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;

/**
 * {@code ./clip serve}: the HTTP API and search page until SIGTERM or Ctrl-C, which stop accepting
 * and let the requests in flight finish. Prints {@code listening on URL} on stdout once ready.
 */
final class ServeCommand implements Command {
    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String usage() {
        return "serve [--model M] [--index INDEX [--images DIR]] [--host 127.0.0.1] [--port 8080] [--token-file F]\n"
                + "        [--max-body-mb 20] [--max-pixels 40000000] [--max-inputs 64] [--queue 32] [--read-timeout 30] [--no-warm-up]\n"
                + "                                                       HTTP API and search page (see README: HTTP service)";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--index", "--images", "--host", "--port", "--token-file", "--max-body-mb",
                "--max-pixels", "--max-inputs", "--queue", "--read-timeout", "--grace"), Set.of(), Set.of("--no-warm-up"));
    }

    @Override
    public int run(Args args, Console console) throws IOException, InterruptedException {
        args.requireNoPositional("serve takes only options");
        ServerOptions defaults = ServerOptions.defaults();
        String host = args.one("--host") != null ? args.one("--host") : defaults.host();
        String port = args.one("--port");
        int p = port == null ? defaults.port() : port.equals("0") ? 0 : args.positiveInt("--port", defaults.port());
        String token = token(args.one("--token-file"), console);
        ServerOptions options;
        try {
            options = new ServerOptions(host, p, token,
                    (long) args.positiveInt("--max-body-mb", (int) (defaults.maxBodyBytes() >> 20)) << 20,
                    defaults.bufferedBytes(),
                    args.positiveInt("--max-pixels", (int) defaults.maxPixels()),
                    args.positiveInt("--max-inputs", defaults.maxInputs()),
                    args.positiveInt("--queue", defaults.queueCapacity()),
                    Duration.ofSeconds(args.positiveInt("--read-timeout", (int) defaults.readTimeout().toSeconds())),
                    Duration.ofSeconds(args.positiveInt("--grace", (int) defaults.shutdownGrace().toSeconds())),
                    !args.flag("--no-warm-up"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (token == null && !InetAddress.getByName(host).isLoopbackAddress()) {
            console.err().println("warning: listening on " + host + " without --token-file: anyone who can reach it can use it");
        }
        String indexFile = args.one("--index");
        String images = args.one("--images");
        if (images != null && indexFile == null) {
            throw new UsageException("--images is the folder of --index's images; give --index too");
        }
        int indexed = 0;
        String model = args.one("--model");
        if (indexFile != null) {
            try (ImageIndex index = ImageIndex.open(Path.of(indexFile))) {
                indexed = index.size();
                model = Models.forIndex(model, index, Path.of(indexFile));
            }
        }
        model = model != null ? model : Models.name(args);
        try (ClipModel clip = Models.open(model)) {
            Path imagesDir = images == null ? null : Path.of(images);
            // With --index, the server serves a rebuilt index file without a restart.
            ClipServer server = indexFile == null ? ClipServer.start(clip, model, null, null, options)
                    : ClipServer.startWithIndexFile(clip, model, Path.of(indexFile), imagesDir, options);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "clip-serve-shutdown"));
            console.err().println("serving " + model + (indexFile == null ? "" : " with " + indexed + " indexed images")
                    + (token == null ? "" : ", bearer token required") + "; SIGTERM or Ctrl-C stops after the requests in flight");
            console.out().println("listening on " + server.uri());
            console.out().flush();
            server.awaitStop();
        }
        return 0;
    }

    /** The token in {@code file} (surrounding whitespace dropped), or null without the option. */
    private static String token(String file, Console console) throws IOException {
        if (file == null) {
            return null;
        }
        Path f = Path.of(file);
        String token;
        try {
            token = Files.readString(f).strip();
        } catch (NoSuchFileException e) {
            throw new UsageException("--token-file " + file + ": no such file");
        }
        if (token.isEmpty() || token.contains("\n")) {
            throw new UsageException("--token-file " + file + " must hold one token on one line");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                console.err().println("warning: " + file + " is readable by other users (chmod 600 " + file + ")");
            }
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: nothing to check
        }
        return token;
    }
}
