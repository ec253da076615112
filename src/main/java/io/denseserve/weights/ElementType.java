package io.denseserve.weights;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The element types weights files store, named as safetensors names them, and how to widen each
 * to float32. torchvision checkpoints are float32; half-precision and float64 exports and integer
 * buffers ({@code num_batches_tracked}) occur in the wild and must not break loading.
 */
enum ElementType {
    F32(4), F64(8), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /** Looks a safetensors dtype up, such as {@code F32}; null if unknown. */
    static ElementType ofSafetensors(String name) {
        for (ElementType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Maps a numpy type code ({@code f4}, {@code i8}, {@code u1}, {@code b1}); null if unknown. */
    static ElementType ofNumpy(char kind, int size) {
        return switch (kind + String.valueOf(size)) {
            case "f4" -> F32;
            case "f8" -> F64;
            case "f2" -> F16;
            case "i8" -> I64;
            case "i4" -> I32;
            case "i2" -> I16;
            case "i1" -> I8;
            case "u1" -> U8;
            case "b1" -> BOOL;
            default -> null;
        };
    }

    /** Maps a torch storage class ({@code FloatStorage}, {@code HalfStorage}, ...); null if unknown. */
    static ElementType ofTorchStorage(String className) {
        return switch (className) {
            case "FloatStorage" -> F32;
            case "DoubleStorage" -> F64;
            case "HalfStorage" -> F16;
            case "BFloat16Storage" -> BF16;
            case "LongStorage" -> I64;
            case "IntStorage" -> I32;
            case "ShortStorage" -> I16;
            case "CharStorage" -> I8;
            case "ByteStorage" -> U8;
            case "BoolStorage" -> BOOL;
            default -> null;
        };
    }

    /**
     * Reads {@code count} elements from {@code src} (whose byte order is already set), advancing it.
     */
    float[] decode(ByteBuffer src, int count) {
        float[] out = new float[count];
        if (this == F32) {
            src.asFloatBuffer().get(out);
            src.position(src.position() + count * 4);
            return out;
        }
        for (int i = 0; i < count; i++) {
            out[i] = switch (this) {
                case F64 -> (float) src.getDouble();
                case F16 -> halfToFloat(src.getShort());
                case BF16 -> Float.intBitsToFloat((src.getShort() & 0xffff) << 16);
                case I64 -> (float) src.getLong();
                case I32 -> (float) src.getInt();
                case I16 -> src.getShort();
                case I8 -> src.get();
                case U8, BOOL -> src.get() & 0xff;
                default -> throw new IllegalStateException(name());
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float32 (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
