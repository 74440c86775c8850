package dev.jclip.tensor;

/**
 * Chooses the kernels once per JVM: the Vector API kernels when the {@code jdk.incubator.vector}
 * module is present, else the scalar specification. {@code -Dclip.simd=false} forces scalar.
 * Falling back without being asked to is reported once on stderr, with the reason.
 */
public final class KernelProvider {
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
            return new ScalarKernels();
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println("clip: using the slow scalar kernels: the JVM was started without"
                    + " --add-modules jdk.incubator.vector");
            return new ScalarKernels();
        }
        try {
            // Loaded by name so that this class links on a JVM without the incubator module.
            return (Kernels) Class.forName("dev.jclip.tensor.simd.VectorKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("clip: using the slow scalar kernels: the Vector API kernels failed to load: " + e);
            return new ScalarKernels();
        }
    }
}
