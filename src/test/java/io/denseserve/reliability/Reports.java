package io.denseserve.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Map;

/** Writes each reliability run's figures to {@code target/reliability/NAME.json}, the source of RELIABILITY.md. */
final class Reports {

    private Reports() {}

    static void write(String name, Map<String, Object> figures) throws IOException {
        java.nio.file.Files.createDirectories(ServerProcess.REPORTS);
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures);
        java.nio.file.Files.writeString(ServerProcess.REPORTS.resolve(name + ".json"), json);
        System.out.println("=== " + name + " ===\n" + json);
    }

    /** A duration from a system property such as {@code -Dsoak.duration=PT30M}, or the CI default. */
    static java.time.Duration duration(String property, String ciDefault) {
        return java.time.Duration.parse(System.getProperty(property, ciDefault));
    }
}
