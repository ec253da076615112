package io.denseserve.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * The service's settings as {@code spring-boot-configuration-processor} describes them at compile
 * time ({@code META-INF/spring-configuration-metadata.json}, from {@link DenseServeProperties}'s
 * fields and their Javadoc): the one source of the configuration reference and of the checks
 * that the Helm chart sets what the service expects.
 */
public record ConfigurationMetadata(Map<String, Property> properties) {

    static final Path FILE = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

    /** One setting: its key, Java type, default as written in the metadata (null: decided at run time), and description. */
    public record Property(String name, String type, String defaultValue, String description) {

        /** The environment variable Spring Boot binds to it: {@code denseserve.inference.intra-op-threads} is {@code DENSESERVE_INFERENCE_INTRAOPTHREADS}. */
        public String environmentVariable() {
            return name.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
        }

        /** {@code text} read as a value of this setting's type, so that {@code 0ms} equals {@code 0} and {@code 10MB} {@code 10485760B}. */
        public Object parse(String text) {
            return switch (type) {
                case "java.time.Duration" -> DurationStyle.detectAndParse(text);
                case "org.springframework.util.unit.DataSize" -> DataSize.parse(text);
                case "java.lang.Integer", "java.lang.Long" -> Long.valueOf(text);
                default -> text.toLowerCase(Locale.ROOT);
            };
        }

        /** The default in this setting's type, or null where it has none. */
        public Object parsedDefault() {
            return defaultValue == null ? null : parse(defaultValue);
        }
    }

    public static ConfigurationMetadata read() throws IOException {
        Map<String, Property> properties = new LinkedHashMap<>();
        for (JsonNode p : new ObjectMapper().readTree(FILE.toFile()).path("properties")) {
            JsonNode value = p.get("defaultValue");
            properties.put(p.path("name").asText(), new Property(p.path("name").asText(), p.path("type").asText(),
                    value == null ? null : value.asText(), p.path("description").asText()));
        }
        return new ConfigurationMetadata(properties);
    }
}
