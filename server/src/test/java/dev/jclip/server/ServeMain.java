package dev.jclip.server;

import dev.jclip.convert.Converter;
import dev.jclip.core.ClipModel;
import dev.jclip.core.index.ImageIndex;
import dev.jclip.core.testing.Fixtures;

import java.nio.file.Path;

/** A server in a child JVM for {@link ShutdownTest}: {@code ServeMain INDEX}; prints its port, stops on SIGTERM. */
public final class ServeMain {
    private ServeMain() {
    }

    public static void main(String[] args) throws Exception {
        ClipModel clip = ClipModel.load(Converter.open(Fixtures.tiny("hf")));
        ImageIndex index = ImageIndex.open(Path.of(args[0]));
        ClipServer server = ClipServer.start(clip, "clip-tiny", index, null, ServerOptions.defaults().withPort(0));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("port " + server.port());
        System.out.flush();
        server.awaitStop();
    }
}
