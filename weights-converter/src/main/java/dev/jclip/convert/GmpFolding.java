package dev.jclip.convert;

import dev.jclip.core.safetensors.DType;
import dev.jclip.core.weights.TensorSpec;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Presents a GmP (Geometric Parametrization) checkpoint as the plain OpenAI layout: each pair
 * {@code X.r} [out, 1] and {@code X.theta} [out, in] appears as {@code X.weight} [out, in] with
 * {@code weight = r · theta / ‖theta‖₂}, the norm taken over each row. Folded in double precision.
 */
final class GmpFolding implements RawTensors {
    private final RawTensors gmp;
    private final Set<String> names = new LinkedHashSet<>();

    GmpFolding(RawTensors gmp, String where) {
        this.gmp = gmp;
        for (String n : gmp.names()) {
            if (n.endsWith(".theta")) {
                String base = n.substring(0, n.length() - ".theta".length());
                if (!gmp.names().contains(base + ".r")) {
                    throw new ConversionException(where + ": GmP tensor '" + n + "' has no matching '" + base + ".r'");
                }
                names.add(base + ".weight");
            } else if (n.endsWith(".r")) {
                String base = n.substring(0, n.length() - ".r".length());
                if (!gmp.names().contains(base + ".theta")) {
                    throw new ConversionException(where + ": GmP tensor '" + n + "' has no matching '" + base + ".theta'");
                }
            } else {
                names.add(n);
            }
        }
        for (String n : names) {
            if (n.endsWith(".weight") && gmp.names().contains(base(n) + ".theta")) {
                long[] theta = gmp.spec(base(n) + ".theta").shape();
                long[] r = gmp.spec(base(n) + ".r").shape();
                if (theta.length != 2 || r.length != 2 || r[0] != theta[0] || r[1] != 1) {
                    throw new ConversionException(where + ": GmP pair '" + base(n) + "' has r " + Arrays.toString(r)
                            + " and theta " + Arrays.toString(theta) + "; expected [out, 1] and [out, in]");
                }
            }
        }
    }

    private static String base(String weightName) {
        return weightName.substring(0, weightName.length() - ".weight".length());
    }

    private boolean folded(String name) {
        return name.endsWith(".weight") && gmp.names().contains(base(name) + ".theta");
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(names);
    }

    @Override
    public TensorSpec spec(String name) {
        if (!folded(name)) {
            return gmp.spec(name);
        }
        TensorSpec theta = gmp.spec(base(name) + ".theta");
        DType r = gmp.spec(base(name) + ".r").dtype();
        return new TensorSpec(Dtypes.widest(theta.dtype(), r), theta.shape());
    }

    @Override
    public float[] floats(String name) {
        if (!folded(name)) {
            return gmp.floats(name);
        }
        float[] theta = gmp.floats(base(name) + ".theta");   // [out, in]
        float[] r = gmp.floats(base(name) + ".r");           // [out, 1]
        int out = r.length;
        int in = theta.length / out;
        float[] w = new float[theta.length];                 // [out, in]
        for (int o = 0; o < out; o++) {
            double sq = 0;
            for (int i = 0; i < in; i++) {
                double t = theta[o * in + i];
                sq += t * t;
            }
            double scale = r[o] / Math.sqrt(sq);
            for (int i = 0; i < in; i++) {
                w[o * in + i] = (float) (theta[o * in + i] * scale);
            }
        }
        return w;
    }

    @Override
    public long[] longs(String name) {
        return gmp.longs(name);
    }
}
