package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.system.DenseServeProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The in-flight bound must leave request threads to spare: were the threads the tighter limit,
 * overload would queue inside Tomcat with no deadline and no 503 (what OverloadIT caught).
 */
class AdmissionLimitTest {

    @Test
    void tooFewRequestThreadsForTheQueueFailAtStartWithTheFix() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(500);
        assertThatThrownBy(() -> new ClassificationService(null, properties, new SimpleMeterRegistry(), 200))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server.tomcat.threads.max (200) must be at least 524");
    }

    @Test
    void theDefaultsFit() {
        assertThatCode(() -> new ClassificationService(null, new DenseServeProperties(), new SimpleMeterRegistry(), 200)).doesNotThrowAnyException();
    }
}
