package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import java.time.Duration;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Runs Tomcat on {@link DeadlineNioProtocol} with {@code denseserve.connections.*}: idle connections
 * opened in one burst are closed over seconds rather than in one poller pass, and a request head
 * must arrive whole within the header timeout.
 */
@Component
class ConnectionDeadlines implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final double spread;
    private final Duration headerTimeout;

    ConnectionDeadlines(DenseServeProperties properties) {
        this.spread = properties.getConnections().getFirstDeadlineSpread();
        this.headerTimeout = properties.getConnections().getHeaderTimeout();
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.setProtocol(DeadlineNioProtocol.class.getName());
        factory.addConnectorCustomizers(connector -> {
            DeadlineNioProtocol protocol = (DeadlineNioProtocol) connector.getProtocolHandler();
            protocol.setFirstDeadlineSpread(spread);
            protocol.setHeaderTimeout(headerTimeout);
        });
    }
}
