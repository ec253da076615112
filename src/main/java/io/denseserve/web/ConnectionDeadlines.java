package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Runs Tomcat on {@link DeadlineNioProtocol} with {@code denseserve.connections.*}: idle connections
 * opened in one burst are closed over seconds rather than in one poller pass, and a request head
 * must arrive whole within the header timeout; connections ended for that are counted as
 * {@code denseserve_connections_closed_total{reason="request_head_too_slow"}}.
 */
@Component
class ConnectionDeadlines implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final double spread;
    private final Duration headerTimeout;
    private final Counter slowHeads;

    ConnectionDeadlines(DenseServeProperties properties, MeterRegistry registry) {
        this.spread = properties.getConnections().getFirstDeadlineSpread();
        this.headerTimeout = properties.getConnections().getHeaderTimeout();
        this.slowHeads = Counter.builder("denseserve.connections.closed").tag("reason", "request_head_too_slow")
                .description("connections closed by the service's own deadlines").register(registry);
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.setProtocol(DeadlineNioProtocol.class.getName());
        factory.addConnectorCustomizers(connector -> {
            DeadlineNioProtocol protocol = (DeadlineNioProtocol) connector.getProtocolHandler();
            protocol.setFirstDeadlineSpread(spread);
            protocol.setHeaderTimeout(headerTimeout);
            protocol.setOnSlowHead(slowHeads::increment);
        });
    }
}
