package io.denseserve.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes safetensors: an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {@code dtype}, {@code shape} and {@code data_offsets}, then the raw little-endian
 * data. Every offset and size is checked against the file before anything is allocated, so a
 * corrupt header fails with a message rather than an OutOfMemoryError.
 */
public final class SafetensorsFormat {

    /** The reference implementation's own cap on header size. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsFormat() {}

    /** True if {@code head} (the first bytes of a file) looks like a safetensors header. */
    static boolean sniff(byte[] head, long fileSize) {
        if (head.length < 9) {
            return false;
        }
        long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerLength > 1 && headerLength <= fileSize - 8 && head[8] == '{';
    }

    /**
     * Reads every tensor of a safetensors file.
     *
     * @param file the file
     * @return its tensors in header order, and its {@code __metadata__}
     * @throws WeightsFormatException if the file is truncated or its header is inconsistent
     */
    public static StateDict read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            String where = "safetensors file " + file.getFileName();
            if (size < 8) {
                throw new WeightsFormatException(where + " is truncated: " + size + " bytes, no header length");
            }
            long headerLength = readFully(channel, 0, 8).getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new WeightsFormatException(where + " declares a " + headerLength
                        + "-byte header but holds " + (size - 8) + " bytes after the length (truncated or not safetensors)");
            }
            JsonNode header = parseHeader(readFully(channel, 8, (int) headerLength), where);
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals("__metadata__")) {
                    entry.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(entry.getKey(), readTensor(channel, where, entry.getKey(), entry.getValue(), dataStart, dataSize));
            }
            return new StateDict(tensors, metadata);
        }
    }

    private static JsonNode parseHeader(ByteBuffer bytes, String where) throws WeightsFormatException {
        try {
            JsonNode header = JSON.readTree(StandardCharsets.UTF_8.decode(bytes).toString());
            if (header == null || !header.isObject()) {
                throw new WeightsFormatException(where + " has a header that is not a JSON object");
            }
            return header;
        } catch (JsonProcessingException e) {
            throw new WeightsFormatException(where + " has a corrupt JSON header: " + e.getOriginalMessage());
        }
    }

    private static HostTensor readTensor(FileChannel channel, String where, String name, JsonNode info,
            long dataStart, long dataSize) throws IOException {
        String what = where + ", tensor '" + name + "'";
        ElementType type = ElementType.ofSafetensors(info.path("dtype").asText());
        if (type == null) {
            throw new WeightsFormatException(what + " has unsupported dtype '" + info.path("dtype").asText() + "'");
        }
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightsFormatException(what + " needs a 'shape' array and two 'data_offsets'");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).canConvertToLong() ? shapeNode.get(i).asLong() : -1;
        }
        long numel = HostTensor.numel(shape);
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (numel < 0) {
            throw new WeightsFormatException(what + " has an invalid or oversized shape " + shapeNode);
        }
        if (begin < 0 || end < begin || end - begin != numel * type.bytes) {
            throw new WeightsFormatException(what + " has data_offsets " + offsets + " that do not hold "
                    + numel + " " + type + " values");
        }
        if (end > dataSize) {
            throw new WeightsFormatException(what + " ends at byte " + end + " of a " + dataSize
                    + "-byte data section: the file is truncated");
        }
        ByteBuffer data = readFully(channel, dataStart + begin, (int) (end - begin));
        return new HostTensor(shape, type.decode(data, (int) numel), type.name());
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new WeightsFormatException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    /**
     * Writes tensors as float32 safetensors, in the state dict's order, with its metadata.
     *
     * @param stateDict what to write
     * @param file the destination, replaced if present
     */
    public static void write(StateDict stateDict, Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!stateDict.metadata().isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            stateDict.metadata().forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : stateDict.tensors().entrySet()) {
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", "F32");
            ArrayNode shape = info.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().values().length;
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(json);
            out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            for (HostTensor t : stateDict.tensors().values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(t.values());
                out.write(data.array());
            }
        }
    }
}
