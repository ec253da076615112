package io.denseserve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * The README's settings table and {@link DenseServeProperties} name the same settings, and where
 * the table gives a plain default (a number, a size, a duration, a word) it is the class's.
 */
class SettingsDocumentedTest {

    private static final Pattern ROW = Pattern.compile("^\\| (`[^|]+) \\| ([^|]+) \\|");
    private static final Pattern KEY = Pattern.compile("`([a-z-]+\\.[a-z.-]+)`");

    @Test
    void everySettingIsDocumentedOnceWithItsDefault() throws Exception {
        Map<String, Object> settings = settings(new DenseServeProperties());
        Map<String, String> documented = documented();
        assertThat(documented.keySet()).as("settings in the README's table").isEqualTo(settings.keySet());
        List<String> wrong = new ArrayList<>();
        documented.forEach((key, text) -> {
            Object actual = settings.get(key);
            Object stated = parse(text.replace("`", "").trim().split("[ ,]")[0], actual);
            if (stated != null && !stated.equals(actual)) {
                wrong.add(key + ": README says " + text + ", the class " + actual);
            }
        });
        assertThat(wrong).as("defaults the README states otherwise").isEmpty();
    }

    /** Each documented key and its default cell; a row may name several keys. */
    private static Map<String, String> documented() throws Exception {
        Map<String, String> rows = new TreeMap<>();
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Settings"), readme.indexOf("\nHow a batch is formed:"));
        for (String line : table.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                Matcher key = KEY.matcher(row.group(1));
                while (key.find()) {
                    assertThat(rows.put(key.group(1), row.group(2))).as("documented twice: " + key.group(1)).isNull();
                }
            }
        }
        return rows;
    }

    /** Every setting as its key under {@code denseserve.} and its default value. */
    private static Map<String, Object> settings(DenseServeProperties properties) throws Exception {
        Map<String, Object> settings = new TreeMap<>();
        for (Method group : DenseServeProperties.class.getMethods()) {
            if (!group.getName().startsWith("get") || group.getDeclaringClass() != DenseServeProperties.class) {
                continue;
            }
            Object bean = group.invoke(properties);
            for (Method setter : bean.getClass().getMethods()) {
                if (setter.getName().startsWith("set") && setter.getParameterCount() == 1) {
                    String name = setter.getName().substring(3);
                    Object value = bean.getClass().getMethod("get" + name).invoke(bean);
                    settings.put(kebab(group.getName().substring(3)) + "." + kebab(name), value);
                }
            }
        }
        return settings;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The README's default in the setting's own type, or null where it is prose. */
    private static Object parse(String text, Object actual) {
        try {
            if (actual instanceof Duration) {
                return DurationStyle.detectAndParse(text);
            }
            if (actual instanceof DataSize) {
                return DataSize.parse(text);
            }
            if (actual instanceof Integer) {
                return Integer.valueOf(text);
            }
            if (actual instanceof Long) {
                return Long.valueOf(text);
            }
            if (actual instanceof Enum<?> e && text.equalsIgnoreCase(e.name())) {
                return e;
            }
            if (actual instanceof Enum<?>) {
                return text;
            }
            return null;
        } catch (RuntimeException prose) {
            return null;
        }
    }
}
