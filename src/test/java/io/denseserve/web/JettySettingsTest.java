package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.denseserve.config.DenseServeProperties;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;

/**
 * Jetty's request threads follow the admission bound, so overload is refused, not queued in Jetty;
 * idle connections opened together get idle timeouts spread over the upper half of the setting.
 */
class JettySettingsTest {

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

    @Test
    void eachConnectionsIdleTimeoutIsDrawnBetweenHalfTheSettingAndAllOfIt() {
        JettySettings.SpreadIdleTimeouts spread = new JettySettings.SpreadIdleTimeouts();
        Set<Long> drawn = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            EndPoint endPoint = mock(EndPoint.class);
            when(endPoint.getIdleTimeout()).thenReturn(20_000L);
            Connection connection = mock(Connection.class);
            when(connection.getEndPoint()).thenReturn(endPoint);
            spread.onOpened(connection);
            ArgumentCaptor<Long> timeout = ArgumentCaptor.forClass(Long.class);
            Mockito.verify(endPoint).setIdleTimeout(timeout.capture());
            assertThat(timeout.getValue()).isBetween(10_000L, 20_000L);
            drawn.add(timeout.getValue() / 1000);
        }
        assertThat(drawn).as("whole seconds drawn over 200 connections").hasSizeGreaterThanOrEqualTo(8);
    }

    private static QueuedThreadPool poolAfter(DenseServeProperties properties, int maxThreads, int minThreads) {
        JettyServletWebServerFactory factory = new JettyServletWebServerFactory();
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads, minThreads);
        factory.setThreadPool(pool);
        new JettySettings(properties, null).customize(factory);
        return pool;
    }
}
