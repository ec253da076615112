package io.denseserve.weights;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads a state_dict saved by {@code torch.save}, without Python, in both layouts:
 *
 * <ul>
 *   <li>the zip format (torch >= 1.6): {@code <name>/data.pkl} plus one {@code <name>/data/<key>}
 *       entry of raw bytes per storage;
 *   <li>the legacy format (torch < 1.6, used by torchvision's published DenseNet files): pickled
 *       magic number, protocol version and system info, the pickled state_dict, the pickled list of
 *       storage keys, then each storage as an 8-byte element count and its raw bytes.
 * </ul>
 *
 * <p>The pickle is read by {@link CheckpointUnpickler}, which constructs nothing but containers and
 * tensor references: no Python class is instantiated, so a hostile file cannot run code. A
 * training checkpoint whose top level holds {@code state_dict} or {@code model} is unwrapped.
 */
public final class TorchCheckpointFormat {

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;

    private TorchCheckpointFormat() {}

    /** True if the first bytes are a zip's local header (zip .pth or npz: tell them apart by entries). */
    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /** True if the first bytes start a pickle of protocol 2 or later, as legacy torch.save writes. */
    static boolean isLegacy(byte[] head) {
        return head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
    }

    /**
     * Reads a .pth file of either layout.
     *
     * @throws WeightsFormatException naming the file and what is wrong with it
     */
    public static StateDict read(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        String where = "torch checkpoint " + file.getFileName();
        try {
            return isZip(head) ? readZip(file, where) : readLegacy(file, where);
        } catch (PickleException | ClassCastException | IndexOutOfBoundsException | ArithmeticException
                | NullPointerException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new WeightsFormatException(where + " has a corrupt pickle: " + e.getMessage(), e);
        } catch (WeightsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsFormatException(where + " is truncated or corrupt: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // The pickle reader allocates what a (corrupt) length field declares before reading it;
            // such an allocation fails at once without having taken memory, so this is recoverable.
            throw new WeightsFormatException(where + " declares an object too large to read: corrupt", e);
        }
    }

    private static StateDict readZip(Path file, String where) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pickle = zip.stream().filter(e -> e.getName().endsWith("data.pkl")).findFirst()
                    .orElseThrow(() -> new WeightsFormatException(where + " is a zip without data.pkl: not a torch.save file"));
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ByteOrder order = byteOrder(zip, prefix);
            CheckpointUnpickler unpickler = new CheckpointUnpickler();
            Object root;
            try (InputStream in = new BufferedInputStream(zip.getInputStream(pickle))) {
                root = unpickler.load(in);
            }
            for (CheckpointUnpickler.Storage storage : unpickler.storages()) {
                ZipEntry entry = zip.getEntry(prefix + "data/" + storage.key());
                if (entry == null) {
                    throw new WeightsFormatException(where + " lacks storage entry data/" + storage.key());
                }
                long bytes = storage.numel() * storage.type().bytes;
                if (entry.getSize() < bytes) {
                    throw new WeightsFormatException(where + ": storage data/" + storage.key() + " holds "
                            + entry.getSize() + " bytes, needs " + bytes + " (truncated)");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    storage.fill(readExactly(in, bytes, where + ", storage " + storage.key()), order);
                }
            }
            return tensors(root, where);
        } catch (ZipException e) {
            throw new WeightsFormatException(where + " is not a readable zip archive (truncated or corrupt): " + e.getMessage());
        }
    }

    private static ByteOrder byteOrder(ZipFile zip, String prefix) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        try (InputStream in = zip.getInputStream(entry)) {
            String text = new String(in.readNBytes(16), StandardCharsets.US_ASCII).strip();
            return text.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
    }

    private static StateDict readLegacy(Path file, String where) throws IOException {
        long size = Files.size(file);
        try (CountingInputStream in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            CheckpointUnpickler unpickler = new CheckpointUnpickler();
            Object magic = new CheckpointUnpickler().load(in);
            if (!LEGACY_MAGIC.equals(magic instanceof Number n ? new BigInteger(n.toString()) : null)) {
                throw new WeightsFormatException(where + " is not a torch.save file (no legacy magic number, not a zip)");
            }
            Object protocol = new CheckpointUnpickler().load(in);
            if (!(protocol instanceof Number p) || p.longValue() != LEGACY_PROTOCOL) {
                throw new WeightsFormatException(where + " has unsupported legacy protocol " + protocol);
            }
            new CheckpointUnpickler().load(in); // sys_info: byte order and type sizes, little-endian on all we support
            Object root = unpickler.load(in);
            Object keys = new CheckpointUnpickler().load(in);
            if (!(keys instanceof List<?> keyList)) {
                throw new WeightsFormatException(where + " lacks the list of storage keys");
            }
            for (Object key : keyList) {
                CheckpointUnpickler.Storage storage = unpickler.storage(String.valueOf(key));
                if (storage == null) {
                    throw new WeightsFormatException(where + " lists storage " + key + " that no tensor uses");
                }
                byte[] count = readExactly(in, 8, where + ", storage " + key + " header");
                long numel = ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long bytes = numel * storage.type().bytes;
                if (numel != storage.numel() || bytes > size - in.position()) {
                    throw new WeightsFormatException(where + ": storage " + key + " declares " + numel
                            + " elements (pickle says " + storage.numel() + ", " + (size - in.position())
                            + " bytes left): truncated or corrupt");
                }
                storage.fill(readExactly(in, bytes, where + ", storage " + key), ByteOrder.LITTLE_ENDIAN);
            }
            return tensors(root, where);
        }
    }

    private static byte[] readExactly(InputStream in, long bytes, String what) throws IOException {
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException(what + " is too large for one tensor: " + bytes + " bytes");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new WeightsFormatException(what + " is truncated: " + data.length + " of " + bytes + " bytes");
        }
        return data;
    }

    private static StateDict tensors(Object root, String where) throws WeightsFormatException {
        Map<?, ?> dict = unwrap(root, where);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getValue() instanceof CheckpointUnpickler.TensorRef ref) {
                String key = String.valueOf(e.getKey());
                try {
                    tensors.put(key, ref.materialize());
                } catch (IndexOutOfBoundsException ex) {
                    throw new WeightsFormatException(where + ", tensor '" + key + "': " + ex.getMessage());
                }
            }
        }
        if (tensors.isEmpty()) {
            throw new WeightsFormatException(where + " holds no tensors");
        }
        return new StateDict(tensors);
    }

    private static Map<?, ?> unwrap(Object root, String where) throws WeightsFormatException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw new WeightsFormatException(where + " does not hold a state_dict (top level is "
                    + (root == null ? "None" : root.getClass().getSimpleName()) + ")");
        }
        boolean hasTensors = dict.values().stream().anyMatch(v -> v instanceof CheckpointUnpickler.TensorRef);
        if (!hasTensors) {
            for (String wrapper : List.of("state_dict", "model")) {
                if (dict.get(wrapper) instanceof Map<?, ?> inner) {
                    return inner;
                }
            }
        }
        return dict;
    }

    /** Tracks the read position so storage sizes can be checked against the bytes left. */
    private static final class CountingInputStream extends FilterInputStream {
        private long position;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            position += skipped;
            return skipped;
        }
    }

    static List<String> storageTypeNames() {
        return new ArrayList<>(List.of("FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
                "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"));
    }
}
