package io.denseserve.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads numpy's {@code .npz} (a zip of {@code <name>.npy} arrays, as {@code numpy.savez} writes a
 * state_dict). Each array's size is checked against its zip entry before it is allocated.
 */
public final class NpzFormat {

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private NpzFormat() {}

    /**
     * Reads every array of an npz file; names are the entry names without {@code .npy}.
     *
     * @throws WeightsFormatException if the zip or an array in it is corrupt or truncated
     */
    public static StateDict read(Path file) throws IOException {
        String where = "npz file " + file.getFileName();
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().endsWith(".npy")) {
                    continue;
                }
                String name = entry.getName().substring(0, entry.getName().length() - 4);
                try (InputStream in = zip.getInputStream(entry)) {
                    tensors.put(name, readNpy(in, entry.getSize(), where + ", array '" + name + "'"));
                }
            }
        } catch (ZipException | IllegalArgumentException e) {
            // IllegalArgumentException: an entry name that is not valid UTF-8 (found by fuzzing).
            throw new WeightsFormatException(where + " is not a readable zip archive (truncated or corrupt): " + e.getMessage());
        } catch (WeightsFormatException e) {
            throw e;
        } catch (IOException e) {
            // A damaged entry ends early while inflating (found by fuzzing: EOFException).
            throw new WeightsFormatException(where + " has a truncated or corrupt entry: " + e.getMessage(), e);
        }
        if (tensors.isEmpty()) {
            throw new WeightsFormatException(where + " holds no .npy arrays");
        }
        return new StateDict(tensors);
    }

    static HostTensor readNpy(InputStream in, long entrySize, String what) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8 || !startsWith(prefix, NPY_MAGIC)) {
            throw new WeightsFormatException(what + " is not a .npy array (bad magic)");
        }
        int major = prefix[6];
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw new WeightsFormatException(what + " is truncated in its header");
        }
        ByteBuffer lb = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lb.getShort() & 0xffff : lb.getInt() & 0xffffffffL;
        if (headerLength > 1 << 20) {
            throw new WeightsFormatException(what + " declares a " + headerLength + "-byte header");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new WeightsFormatException(what + " is truncated in its header");
        }
        String header = new String(headerBytes, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new WeightsFormatException(what + " has an unreadable header: " + header.strip());
        }
        ElementType type = ElementType.ofNumpy(descr.group(2).charAt(0), Integer.parseInt(descr.group(3)));
        if (type == null) {
            throw new WeightsFormatException(what + " has unsupported dtype '" + descr.group() + "'");
        }
        long[] shape = parseShape(shapeText.group(1), what);
        long numel = HostTensor.numel(shape);
        if (numel < 0) {
            throw new WeightsFormatException(what + " has an invalid or oversized shape (" + shapeText.group(1) + ")");
        }
        long dataBytes = numel * type.bytes;
        long available = entrySize - 8 - lengthBytes - headerLength;
        if (entrySize < 0 || dataBytes > available) {
            throw new WeightsFormatException(what + " needs " + dataBytes + " data bytes but its entry holds "
                    + Math.max(available, 0) + ": truncated");
        }
        byte[] data = in.readNBytes((int) dataBytes);
        if (data.length < dataBytes) {
            throw new WeightsFormatException(what + " is truncated: " + data.length + " of " + dataBytes + " data bytes");
        }
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        float[] values = type.decode(ByteBuffer.wrap(data).order(order), (int) numel);
        if (fortran.group(1).equals("True")) {
            values = Strided.gather(values, 0, shape, Strided.columnMajorStrides(shape));
        }
        return new HostTensor(shape, values, type.name());
    }

    private static long[] parseShape(String text, String what) throws WeightsFormatException {
        String[] parts = text.split(",");
        long[] dims = new long[parts.length];
        int n = 0;
        for (String part : parts) {
            if (!part.isBlank()) {
                try {
                    dims[n++] = Long.parseLong(part.strip().replace("L", ""));
                } catch (NumberFormatException e) {
                    throw new WeightsFormatException(what + " has a non-numeric shape (" + text + ")");
                }
            }
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
