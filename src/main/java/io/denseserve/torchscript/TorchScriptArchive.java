package io.denseserve.torchscript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module as {@code torch.jit.load} reads it: a zip archive with the class's source
 * ({@code code/__torch__.py}), its attributes pickled into {@code data.pkl} (the layout {@code
 * torch.jit.save} writes: {@code __torch__.Name} built from a dict of attribute values, tensor
 * lists through {@code torch.jit._pickle.build_tensorlist}, tensors through {@code
 * torch._utils._rebuild_tensor_v2} with their storages as persistent ids) and every storage's bytes
 * in {@code data/<key>}. Tensors are stored as 32-bit floats or as bfloat16, rounded to nearest
 * even.
 */
public final class TorchScriptArchive {

    /** A dense, contiguous tensor's values in row-major order. */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            if (size != values.length) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + size
                        + " values, not " + values.length);
            }
        }
    }

    /** How tensors' values are stored, and so the type they have once loaded. */
    public enum StorageType {
        FLOAT("FloatStorage", 4),
        BFLOAT16("BFloat16Storage", 2);

        private final String storageClass;
        private final int bytes;

        StorageType(String storageClass, int bytes) {
            this.storageClass = storageClass;
            this.bytes = bytes;
        }
    }

    /** The archive format version torch 1.13 writes; later releases read it. */
    private static final String FORMAT_VERSION = "3";

    private final String className;
    private final String source;
    private final StorageType storage;
    private final List<Consumer<PickleWriter>> attributes = new ArrayList<>();
    private final List<byte[]> storages = new ArrayList<>();

    /**
     * @param className the module's class, declared in {@code source} as {@code class Name(Module)}
     * @param source the TorchScript source of {@code __torch__}, in {@code torch.jit.save}'s form
     * @param storage the type tensor attributes are stored in unless {@link #tensors(String, List,
     *     StorageType)} says otherwise
     */
    public TorchScriptArchive(String className, String source, StorageType storage) {
        this.className = className;
        this.source = source;
        this.storage = storage;
        bool("training", false);
        attributes.add(p -> p.string("_is_full_backward_hook").none());
    }

    public TorchScriptArchive bool(String name, boolean value) {
        attributes.add(p -> p.string(name).bool(value));
        return this;
    }

    public TorchScriptArchive integer(String name, long value) {
        attributes.add(p -> p.string(name).integer(value));
        return this;
    }

    public TorchScriptArchive integers(String name, int... values) {
        attributes.add(p -> {
            p.string(name).global("torch.jit._pickle", "build_intlist").mark().emptyList().mark();
            for (int v : values) {
                p.integer(v);
            }
            p.appends().tuple().reduce();
        });
        return this;
    }

    /** Tensors stored in the archive's storage type. */
    public TorchScriptArchive tensors(String name, List<Tensor> values) {
        return tensors(name, values, storage);
    }

    /** Tensors stored as {@code type}, whatever the archive's storage type. */
    public TorchScriptArchive tensors(String name, List<Tensor> values, StorageType type) {
        List<Integer> keys = new ArrayList<>();
        for (Tensor t : values) {
            keys.add(addStorage(t, type));
        }
        attributes.add(p -> {
            p.string(name).global("torch.jit._pickle", "build_tensorlist").mark().emptyList().mark();
            for (int i = 0; i < values.size(); i++) {
                tensor(p, values.get(i), keys.get(i), type);
            }
            p.appends().tuple().reduce();
        });
        return this;
    }

    /** The zip archive's bytes, named {@code archive} inside. */
    public byte[] write(String archive) {
        PickleWriter data = new PickleWriter()
                .global("__torch__", className).emptyTuple().newObject()
                .emptyDict().mark();
        attributes.forEach(a -> a.accept(data));
        data.setItems().build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, archive + "/data.pkl", data.finish());
            stored(zip, archive + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, archive + "/constants.pkl", new PickleWriter().emptyTuple().finish());
            stored(zip, archive + "/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            for (int key = 0; key < storages.size(); key++) {
                stored(zip, archive + "/data/" + key, storages.get(key));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private int addStorage(Tensor t, StorageType type) {
        ByteBuffer buffer = ByteBuffer.allocate(t.values().length * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.values()) {
            if (type == StorageType.FLOAT) {
                buffer.putFloat(v);
            } else {
                buffer.putShort(bfloat16(v));
            }
        }
        storages.add(buffer.array());
        return storages.size() - 1;
    }

    /** {@code _rebuild_tensor_v2(storage, offset 0, size, stride, requires_grad False, OrderedDict())}. */
    private void tensor(PickleWriter p, Tensor t, int key, StorageType type) {
        long[] shape = t.shape();
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", type.storageClass).string(Integer.toString(key))
                .string("cpu").integer(t.values().length).tuple().persistentId();
        p.integer(0);
        p.mark();
        for (long d : shape) {
            p.integer(d);
        }
        p.tuple().mark();
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        for (long s : strides) {
            p.integer(s);
        }
        p.tuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        p.tuple().reduce();
    }

    /** The bfloat16 nearest to {@code value} (ties to even), as torch rounds; NaN stays NaN. */
    static short bfloat16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(value);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        entry.setCompressedSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
