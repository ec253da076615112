package io.denseserve.training;

import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of this machine, for provenance. */
final class Hardware {

    private Hardware() {}

    static String describe() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (Exception e) {
            // keep "unknown CPU"
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, CPU libtorch "
                + ai.djl.engine.Engine.getEngine("PyTorch").getVersion();
    }
}
