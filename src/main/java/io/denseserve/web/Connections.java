package io.denseserve.web;

import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * What Jetty's connector does with connections beyond Spring Boot's {@code server.jetty.*}, which
 * has no setting for either:
 * <ul>
 *   <li>the kernel holds up to {@value #ACCEPT_QUEUE} connections waiting to be accepted (capped
 *       by {@code net.core.somaxconn}; Jetty leaves the JDK's 50), so that a burst of new
 *       connections waits instead of losing its SYNs and retrying them seconds later;</li>
 *   <li>each connection's idle timeout is drawn evenly between half of
 *       {@code server.jetty.connection-idle-timeout} and all of it, so that thousands of idle
 *       connections opened together are not closed, and reopened by their clients, together.</li>
 * </ul>
 */
@Component
class Connections implements WebServerFactoryCustomizer<JettyServletWebServerFactory> {

    static final int ACCEPT_QUEUE = 1024;
    /** The share of the idle timeout over which connections' timeouts are spread. */
    static final double IDLE_TIMEOUT_SPREAD = 0.5;

    @Override
    public void customize(JettyServletWebServerFactory factory) {
        factory.addServerCustomizers(server -> {
            for (var connector : server.getConnectors()) {
                if (connector instanceof ServerConnector network) {
                    network.setAcceptQueueSize(ACCEPT_QUEUE);
                    network.addBean(new SpreadIdleTimeouts());
                }
            }
        });
    }

    /** Draws each new connection's idle timeout. */
    static final class SpreadIdleTimeouts implements Connection.Listener {
        @Override
        public void onOpened(Connection connection) {
            EndPoint endPoint = connection.getEndPoint();
            long timeout = endPoint.getIdleTimeout();
            endPoint.setIdleTimeout(timeout - Math.round(timeout * IDLE_TIMEOUT_SPREAD * ThreadLocalRandom.current().nextDouble()));
        }
    }
}
