package dev.jclip.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a whole file into memory only when it is no larger than a limit. The size is checked before
 * reading, and again while reading, since devices and pipes ({@code /dev/zero}) report no size and a
 * file can grow while it is read.
 */
final class BoundedRead {
    private BoundedRead() {
    }

    static byte[] file(Path path, long maxBytes) {
        if (Files.isDirectory(path)) {
            throw new ImageDecodeException(path + ": is a folder, not an image file");
        }
        try {
            long size = Files.isRegularFile(path) ? Files.size(path) : -1;
            if (size > maxBytes) {
                throw tooLarge(path, Long.toString(size), maxBytes);
            }
            try (InputStream in = Files.newInputStream(path)) {
                int cap = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
                byte[] buf = new byte[(int) Math.min(cap + 1L, 1 << 16)];
                int n = 0;
                for (int r; (r = in.read(buf, n, buf.length - n)) > 0; ) {
                    n += r;
                    if (n > cap) {
                        throw tooLarge(path, "at least " + n, maxBytes); // a device or pipe: how much more, unknown
                    }
                    if (n == buf.length) {
                        buf = Arrays.copyOf(buf, (int) Math.min(cap + 1L, 2L * buf.length));
                    }
                }
                return n == buf.length ? buf : Arrays.copyOf(buf, n);
            }
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ImageDecodeException(path + ": permission denied");
        } catch (IOException e) {
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            throw new ImageDecodeException(path + ": cannot be read (" + reason + ")", e);
        }
    }

    private static ImageDecodeException tooLarge(Path path, String size, long maxBytes) {
        return new ImageDecodeException(path + ": larger than the image file size limit of " + formatMiB(maxBytes)
                + " (" + size + " bytes); not read");
    }

    private static String formatMiB(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
