package dev.jclip.core.safetensors;

import java.util.Locale;
/** The safetensors element types this project reads and writes. */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8), I32(4), U8(1);

    /** Bytes per element. */
    public final int size;

    DType(int size) {
        this.size = size;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype named {@code name} in a safetensors header, or a {@link SafeTensorsException} naming the tensor. */
    public static DType parse(String name, String tensor) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new SafeTensorsException("tensor '" + tensor + "' has unsupported dtype '" + name
                + "' (supported: F32, F16, BF16, I64, I32, U8)");
    }

    /** The float dtype given on a command line: {@code f32}, {@code f16} or {@code bf16}. */
    public static DType parseFloat(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> F32;
            case "f16", "float16" -> F16;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new IllegalArgumentException("unknown dtype '" + name + "' (expected f32, f16 or bf16)");
        };
    }
}
