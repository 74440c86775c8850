package dev.jclip.bench;

import dev.jclip.core.index.ImageIndex;

import java.util.AbstractList;
import java.util.List;

/** The entries of a synthetic index: photos/0000000.jpg, ... made on demand, so a million cost no memory. */
final class SyntheticEntries {
    private SyntheticEntries() {
    }

    static List<ImageIndex.Entry> of(int n) {
        return new AbstractList<>() {
            @Override
            public ImageIndex.Entry get(int i) {
                return new ImageIndex.Entry(String.format("photos/%07d.jpg", i), 100_000 + i, 1_700_000_000_000L + i);
            }

            @Override
            public int size() {
                return n;
            }
        };
    }
}
