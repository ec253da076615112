package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.config.DenseServeProperties;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;

/** Jetty's request threads follow the admission bound, so overload is refused, not queued in Jetty. */
class RequestThreadsTest {

    @Test
    void aLargeQueueRaisesTheRequestThreadsToTheBoundPlusSpare() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(500);
        properties.getInference().setWorkers(2);
        int batch = properties.getInference().getBatchSize();
        assertThat(poolAfter(properties, 200, 10).getMaxThreads()).isEqualTo(500 + 2 * batch + 16);
    }

    @Test
    void theDefaultsFitInJettysDefaultAndAConfiguredLargerValueStays() {
        DenseServeProperties defaults = new DenseServeProperties();
        int bound = 64 + defaults.getInference().getBatchSize() + 16;
        assertThat(defaults.getInference().requestThreads()).isEqualTo(bound);
        assertThat(poolAfter(defaults, 200, 10).getMaxThreads()).isEqualTo(200);
        assertThat(poolAfter(defaults, 50, 10).getMaxThreads()).isEqualTo(bound);
    }

    @Test
    void threadsStartedWithTheServerStaySoWhenRaisedAndOnDemandThreadsStayOnDemand() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(500);
        int bound = 500 + properties.getInference().getBatchSize() + 16;
        QueuedThreadPool allStarted = poolAfter(properties, 200, 200);
        assertThat(allStarted.getMaxThreads()).isEqualTo(bound);
        assertThat(allStarted.getMinThreads()).isEqualTo(bound);
        QueuedThreadPool onDemand = poolAfter(properties, 200, 10);
        assertThat(onDemand.getMaxThreads()).isEqualTo(bound);
        assertThat(onDemand.getMinThreads()).isEqualTo(10);
    }

    private static QueuedThreadPool poolAfter(DenseServeProperties properties, int maxThreads, int minThreads) {
        JettyServletWebServerFactory factory = new JettyServletWebServerFactory();
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads, minThreads);
        factory.setThreadPool(pool);
        new RequestThreads(properties).customize(factory);
        return pool;
    }
}
