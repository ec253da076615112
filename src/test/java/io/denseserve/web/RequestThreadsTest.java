package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.config.DenseServeProperties;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;

/** Tomcat's request threads follow the admission bound, so overload is refused, not queued in Tomcat. */
class RequestThreadsTest {

    @Test
    void aLargeQueueRaisesTheRequestThreadsToTheBoundPlusSpare() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(500);
        properties.getInference().setWorkers(2);
        int batch = properties.getInference().getBatchSize();
        assertThat(maxThreadsAfter(properties, 200)).isEqualTo(500 + 2 * batch + 16);
    }

    @Test
    void theDefaultsFitInTomcatsDefaultAndAConfiguredLargerValueStays() {
        DenseServeProperties defaults = new DenseServeProperties();
        int bound = 64 + defaults.getInference().getBatchSize() + 16;
        assertThat(defaults.getInference().requestThreads()).isEqualTo(bound);
        assertThat(maxThreadsAfter(defaults, 200)).isEqualTo(200);
        assertThat(maxThreadsAfter(defaults, 50)).isEqualTo(bound);
    }

    @Test
    void threadsStartedWithTheServerStaySoWhenRaisedAndOnDemandThreadsStayOnDemand() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(500);
        int bound = 500 + properties.getInference().getBatchSize() + 16;
        AbstractProtocol<?> allStarted = protocolAfter(properties, 200, 200);
        assertThat(allStarted.getMaxThreads()).isEqualTo(bound);
        assertThat(allStarted.getMinSpareThreads()).isEqualTo(bound);
        AbstractProtocol<?> onDemand = protocolAfter(properties, 200, 10);
        assertThat(onDemand.getMaxThreads()).isEqualTo(bound);
        assertThat(onDemand.getMinSpareThreads()).isEqualTo(10);
    }

    private static int maxThreadsAfter(DenseServeProperties properties, int configured) {
        return protocolAfter(properties, configured, 10).getMaxThreads();
    }

    private static AbstractProtocol<?> protocolAfter(DenseServeProperties properties, int maxThreads, int minSpareThreads) {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
        factory.addConnectorCustomizers(c -> {
            AbstractProtocol<?> protocol = (AbstractProtocol<?>) c.getProtocolHandler();
            protocol.setMaxThreads(maxThreads);
            protocol.setMinSpareThreads(minSpareThreads);
        });
        new RequestThreads(properties).customize(factory);
        Connector connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        factory.getTomcatConnectorCustomizers().forEach(customizer -> customizer.customize(connector));
        return (AbstractProtocol<?>) connector.getProtocolHandler();
    }
}
