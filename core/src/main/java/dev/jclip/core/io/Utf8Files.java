package dev.jclip.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text files that must be UTF-8 (JSON configs, vocabularies, merge lists), read strictly: a file in
 * another encoding is an error that names the file and the first bad byte, not the decoder's
 * "Input length = 1".
 */
public final class Utf8Files {
    private Utf8Files() {
    }

    public static String read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new IOException(file + " is not UTF-8 text (an invalid byte at offset " + in.position() + ")");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
