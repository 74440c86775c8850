package dev.jclip.hub;

/** Told as a download's bytes arrive: the file, bytes so far, and bytes in all (-1 if unknown). */
@FunctionalInterface
public interface DownloadProgress {
    DownloadProgress NONE = (file, done, total) -> { };

    void update(String file, long done, long total);
}
