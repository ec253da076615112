package io.denseserve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md is the configuration metadata, one line per setting with its default.
 * Where they differ the test writes the page as it should be to target/CONFIGURATION.md and
 * fails; {@code -Dconfiguration.reference.write=true} writes it over docs/CONFIGURATION.md instead.
 */
class ConfigurationReferenceTest {

    static final Path PAGE = Path.of("docs/CONFIGURATION.md");
    private static final Pattern CODE = Pattern.compile("\\{@(?:code|link|linkplain) #?((?:[^{}]|\\{[^{}]*})+)}");

    @Test
    void theReferencePageIsTheMetadataRendered() throws Exception {
        ConfigurationMetadata metadata = ConfigurationMetadata.read();
        assertThat(metadata.properties()).as("settings in the metadata").containsKeys(
                "denseserve.model.bundle", "denseserve.inference.workers", "denseserve.limits.max-pixels",
                "denseserve.uploads.memory-budget");
        String page = render(metadata);
        if (Boolean.getBoolean("configuration.reference.write")) {
            Files.writeString(PAGE, page);
        }
        if (!page.equals(Files.readString(PAGE))) {
            Files.writeString(Path.of("target/CONFIGURATION.md"), page);
        }
        assertThat(Files.readString(PAGE)).as(PAGE + " is out of date; the page as it should be is in target/CONFIGURATION.md, "
                + "or run ./mvnw test -Dtest=ConfigurationReferenceTest -Dconfiguration.reference.write=true").isEqualTo(page);
    }

    static String render(ConfigurationMetadata metadata) {
        StringBuilder page = new StringBuilder("""
                # Configuration reference

                Every DenseServe setting, generated from Spring Boot's configuration metadata (the Javadoc of
                `io.denseserve.config.DenseServeProperties`, compiled by `spring-boot-configuration-processor`)
                by `ConfigurationReferenceTest`, which fails when this page is out of date. Set them as
                `--denseserve.inference.workers=2`, in `application.yml`, or as environment variables
                (`DENSESERVE_INFERENCE_WORKERS=2`); unknown keys are an error. The Helm chart's values set
                the same settings, and `HelmChartTest` holds its defaults to these. The server's own settings
                (`server.*`: connections, headers, threads) are in `src/main/resources/application.yml`,
                each with its reason.

                | setting | default | what it does |
                |---|---|---|
                """);
        metadata.properties().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(p -> page
                .append("| `").append(p.name()).append("` | ")
                .append(p.defaultValue() == null ? "unset" : "`" + p.defaultValue() + "`").append(" | ")
                .append(CODE.matcher(p.description().replaceAll("\\s+", " ")).replaceAll("`$1`").replace("|", "\\|"))
                .append(" |\n"));
        return page.toString();
    }
}
