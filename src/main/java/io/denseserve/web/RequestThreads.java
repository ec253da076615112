package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import org.apache.coyote.AbstractProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Gives Tomcat at least the request threads the admission bound needs
 * ({@link DenseServeProperties.Inference#requestThreads()}): every admitted classification holds a
 * thread while it waits for its batch, and spare threads must remain to refuse the excess with
 * 503 and to answer probes. {@code server.tomcat.threads.max} still sets more; it never sets fewer,
 * so a larger queue or batch cannot leave overload queueing inside Tomcat with no deadline. Where
 * every thread was to start with the server ({@code server.tomcat.threads.min-spare} equal to the
 * maximum, the default), the raised maximum starts with it too.
 */
@Component
class RequestThreads implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(RequestThreads.class);

    private final int needed;

    RequestThreads(DenseServeProperties properties) {
        this.needed = properties.getInference().requestThreads();
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol
                    && protocol.getMaxThreads() < needed) {
                LOG.info("request threads raised from {} to {}: the classifications that may be in flight plus {} spare",
                        protocol.getMaxThreads(), needed, DenseServeProperties.Inference.SPARE_REQUEST_THREADS);
                if (protocol.getMinSpareThreads() == protocol.getMaxThreads()) {
                    protocol.setMinSpareThreads(needed);
                }
                protocol.setMaxThreads(needed);
            }
        });
    }

    /** After Spring Boot's own customizer, which applies {@code server.tomcat.threads.max}. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
