package io.denseserve.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * A pickle reader that understands exactly what {@code torch.save(state_dict)} writes and nothing
 * more: {@code collections.OrderedDict}, the tensor rebuild functions of {@code torch._utils}, the
 * {@code torch.*Storage} classes and persistent storage ids. Globals are resolved per instance
 * (not through Pyrolite's process-wide registry); any other global becomes an inert placeholder,
 * so nothing from the file is ever executed.
 */
final class CheckpointUnpickler extends Unpickler {

    private final Map<String, Storage> storages = new LinkedHashMap<>();

    /** A storage the pickle refers to by key; its bytes are read after the pickle. */
    static final class Storage {
        private final ElementType type;
        private final String key;
        private final long numel;
        private float[] values;

        Storage(ElementType type, String key, long numel) {
            this.type = type;
            this.key = key;
            this.numel = numel;
        }

        ElementType type() {
            return type;
        }

        String key() {
            return key;
        }

        long numel() {
            return numel;
        }

        void fill(byte[] bytes, ByteOrder order) {
            values = type.decode(ByteBuffer.wrap(bytes).order(order), (int) numel);
        }
    }

    /** A storage as a tensor sees it: legacy files may hand a tensor a view at an offset. */
    record StorageSlice(Storage storage, long offset) {}

    /** A tensor the pickle rebuilds: where its values lie in a storage. */
    record TensorRef(StorageSlice slice, long storageOffset, long[] size, long[] stride) {
        HostTensor materialize() {
            Storage s = slice.storage();
            if (s.values == null) {
                throw new IndexOutOfBoundsException("storage " + s.key + " was never read");
            }
            float[] values = Strided.gather(s.values, slice.offset() + storageOffset, size, stride);
            return new HostTensor(size, values, s.type.name());
        }
    }

    /** {@code collections.OrderedDict}; torch attaches {@code _metadata} through BUILD, which we drop. */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        public void __setstate__(HashMap<?, ?> state) {
            // state_dict._metadata holds module versions only; nothing to keep.
        }
    }

    /** A {@code torch.*Storage} class object, as it appears inside a persistent id. */
    private record StorageClass(ElementType type) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch storage classes are not constructed directly");
        }
    }

    /** Any global we do not know: constructing it yields a placeholder, never a Java object of its name. */
    private record Inert(String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return this;
        }
    }

    Collection<Storage> storages() {
        return storages.values();
    }

    Storage storage(String key) {
        return storages.get(key);
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        if (key == Opcodes.GLOBAL) {
            String module = PickleUtils.readline(input);
            String name = PickleUtils.readline(input);
            stack.add(resolve(module, name));
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.STACK_GLOBAL) {
            String name = (String) stack.pop();
            String module = (String) stack.pop();
            stack.add(resolve(module, name));
            return NO_RETURN_VALUE;
        }
        return super.dispatch(key);
    }

    private IObjectConstructor resolve(String module, String name) {
        String qualified = module + "." + name;
        return switch (qualified) {
            case "collections.OrderedDict" -> args -> new OrderedDict();
            case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2" -> CheckpointUnpickler::rebuildTensor;
            case "torch._utils._rebuild_parameter" -> args -> args[0];
            default -> {
                ElementType type = module.equals("torch") ? ElementType.ofTorchStorage(name) : null;
                yield type != null ? new StorageClass(type) : new Inert(qualified);
            }
        };
    }

    /** {@code _rebuild_tensor(storage, storage_offset, size, stride, ...)}: the v2 extras are ignored. */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageSlice slice)) {
            throw new PickleException("tensor rebuild without a storage");
        }
        return new TensorRef(slice, ((Number) args[1]).longValue(), longs(args[2]), longs(args[3]));
    }

    private static long[] longs(Object tuple) {
        Object[] items = (Object[]) tuple;
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = ((Number) items[i]).longValue();
        }
        return out;
    }

    /**
     * A persistent id: {@code ('storage', StorageClass, key, location, numel)}, with a sixth item
     * in legacy files, {@code (view_key, offset, view_size)} or None.
     */
    @Override
    protected Object persistentLoad(Object pid) {
        Object[] id = (Object[]) pid;
        if (id.length < 5 || !"storage".equals(id[0]) || !(id[1] instanceof StorageClass type)) {
            throw new PickleException("unsupported persistent id; only torch storages are read");
        }
        String key = String.valueOf(id[2]);
        long numel = ((Number) id[4]).longValue();
        if (numel < 0 || numel > Integer.MAX_VALUE - 8) {
            throw new PickleException("storage " + key + " declares " + numel + " elements");
        }
        Storage storage = storages.computeIfAbsent(key, k -> new Storage(type.type(), k, numel));
        if (storage.numel != numel || storage.type != type.type()) {
            throw new PickleException("storage " + key + " is declared twice with different sizes or types");
        }
        long offset = 0;
        if (id.length > 5 && id[5] instanceof Object[] view && view.length >= 2) {
            offset = ((Number) view[1]).longValue();
        }
        return new StorageSlice(storage, offset);
    }
}
