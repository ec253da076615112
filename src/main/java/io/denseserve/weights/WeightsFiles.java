package io.denseserve.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a state_dict from any supported file, recognised by its content rather than its name:
 * safetensors, numpy {@code .npz}, and {@code torch.save} {@code .pth} in zip or legacy layout.
 */
public final class WeightsFiles {

    private WeightsFiles() {}

    /**
     * Reads a weights file.
     *
     * @param file safetensors, npz or .pth
     * @return its tensors by state_dict key
     * @throws WeightsFormatException if the file is missing, of no known format, truncated or corrupt
     */
    public static StateDict read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WeightsFormatException("weights file " + file + " does not exist or is not a file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        } catch (NoSuchFileException e) {
            throw new WeightsFormatException("weights file " + file + " does not exist");
        }
        long size = Files.size(file);
        if (SafetensorsFormat.sniff(head, size)) {
            return SafetensorsFormat.read(file);
        }
        if (TorchCheckpointFormat.isZip(head)) {
            return isNpz(file) ? NpzFormat.read(file) : TorchCheckpointFormat.read(file);
        }
        if (TorchCheckpointFormat.isLegacy(head)) {
            return TorchCheckpointFormat.read(file);
        }
        throw new WeightsFormatException("weights file " + file.getFileName() + " (" + size
                + " bytes) is not safetensors, npz or a torch.save .pth file");
    }

    private static boolean isNpz(Path file) throws WeightsFormatException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.stream().anyMatch(e -> e.getName().endsWith(".npy"));
        } catch (ZipException | IllegalArgumentException e) {
            throw new WeightsFormatException("weights file " + file.getFileName()
                    + " is not a readable zip archive (truncated or corrupt): " + e.getMessage());
        } catch (IOException e) {
            throw new WeightsFormatException("weights file " + file.getFileName() + " cannot be read: " + e.getMessage());
        }
    }
}
