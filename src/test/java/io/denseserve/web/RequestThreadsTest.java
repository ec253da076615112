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
        assertThat(maxThreadsAfter(properties, 200)).isEqualTo(500 + 2 * 8 + 16);
    }

    @Test
    void theDefaultsFitInTomcatsDefaultAndAConfiguredLargerValueStays() {
        DenseServeProperties defaults = new DenseServeProperties();
        assertThat(defaults.getInference().requestThreads()).isEqualTo(64 + 8 + 16);
        assertThat(maxThreadsAfter(defaults, 200)).isEqualTo(200);
        assertThat(maxThreadsAfter(defaults, 50)).isEqualTo(88);
    }

    @Test
    void threadsStartedWithTheServerStaySoWhenRaisedAndOnDemandThreadsStayOnDemand() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(500);
        AbstractProtocol<?> allStarted = protocolAfter(properties, 200, 200);
        assertThat(allStarted.getMaxThreads()).isEqualTo(524);
        assertThat(allStarted.getMinSpareThreads()).isEqualTo(524);
        AbstractProtocol<?> onDemand = protocolAfter(properties, 200, 10);
        assertThat(onDemand.getMaxThreads()).isEqualTo(524);
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
