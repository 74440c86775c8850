package dev.jclip.core.testing;

import java.util.List;

/** Reading numbers back out of parsed JSON, for tests of the CLI's and the server's output. */
public final class JsonArrays {
    private JsonArrays() {
    }

    /** A parsed JSON array of numbers as fp32 values. */
    public static float[] floats(Object jsonArray) {
        List<?> l = (List<?>) jsonArray;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = ((Number) l.get(i)).floatValue();
        }
        return f;
    }
}
