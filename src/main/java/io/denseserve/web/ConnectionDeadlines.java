package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Runs Tomcat on {@link SpreadTimeoutNioProtocol}, with {@code denseserve.connections.first-deadline-spread}:
 * idle connections opened in one burst are then closed over seconds rather than in one poller pass.
 */
@Component
class ConnectionDeadlines implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final double spread;

    ConnectionDeadlines(DenseServeProperties properties) {
        this.spread = properties.getConnections().getFirstDeadlineSpread();
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.setProtocol(SpreadTimeoutNioProtocol.class.getName());
        factory.addConnectorCustomizers(connector ->
                ((SpreadTimeoutNioProtocol) connector.getProtocolHandler()).setFirstDeadlineSpread(spread));
    }
}
