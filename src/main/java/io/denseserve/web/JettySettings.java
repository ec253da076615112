package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * What the service sets on Jetty beyond Spring Boot's {@code server.jetty.*}, which has no setting
 * for any of it:
 * <ul>
 *   <li>at least the request threads the admission bound needs
 *       ({@link DenseServeProperties.Inference#requestThreads()}): every admitted classification
 *       holds a thread while it waits for its batch, and spare threads must remain to refuse the
 *       excess with 503 and to answer probes. {@code server.jetty.threads.max} may set more, never
 *       fewer; where every thread starts with the server ({@code threads.min} equal to the
 *       maximum), the raised maximum does too;</li>
 *   <li>an accept queue of {@value #ACCEPT_QUEUE} (capped by {@code net.core.somaxconn}; Jetty
 *       leaves the JDK's 50), so that a burst of new connections waits instead of losing its SYNs
 *       and retrying them seconds later;</li>
 *   <li>each connection's idle timeout drawn evenly between half of
 *       {@code server.jetty.connection-idle-timeout} and all of it, so that thousands of idle
 *       connections opened together are not closed, and reopened by their clients, together;</li>
 *   <li>{@link BodyBuffering} in front of everything the server serves;</li>
 *   <li>a second connector on {@code denseserve.management.port}, where set, for model management.</li>
 * </ul>
 */
@Component
class JettySettings implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(JettySettings.class);

    static final int ACCEPT_QUEUE = 1024;
    /** The share of the idle timeout over which connections' timeouts are spread. */
    static final double IDLE_TIMEOUT_SPREAD = 0.5;

    private final int requestThreads;
    private final int managementPort;
    private final BodyBuffering bodies;

    JettySettings(DenseServeProperties properties, BodyBuffering bodies) {
        this.requestThreads = properties.getInference().requestThreads();
        this.managementPort = properties.getManagement().getPort();
        this.bodies = bodies;
    }

    @Override
    public void customize(JettyServletWebServerFactory factory) {
        if (factory.getThreadPool() instanceof QueuedThreadPool pool && pool.getMaxThreads() < requestThreads) {
            LOG.info("request threads raised from {} to {}: the classifications that may be in flight plus {} spare",
                    pool.getMaxThreads(), requestThreads, DenseServeProperties.Inference.SPARE_REQUEST_THREADS);
            if (pool.getMinThreads() == pool.getMaxThreads()) {
                pool.setMinThreads(requestThreads);
            }
            pool.setMaxThreads(requestThreads);
        }
        factory.addServerCustomizers(server -> {
            if (managementPort > 0) {
                ServerConnector management = new ServerConnector(server);
                management.setPort(managementPort);
                server.addConnector(management);
            }
            for (var connector : server.getConnectors()) {
                if (connector instanceof ServerConnector network) {
                    network.setAcceptQueueSize(ACCEPT_QUEUE);
                    network.addBean(new SpreadIdleTimeouts());
                }
            }
            bodies.setHandler(server.getHandler());
            server.setHandler(bodies);
        });
    }

    /** After Spring Boot's own customizer, which applies {@code server.jetty.threads.*}. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
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
