package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Gives Jetty at least the request threads the admission bound needs
 * ({@link DenseServeProperties.Inference#requestThreads()}): every admitted classification holds a
 * thread while it waits for its batch, and spare threads must remain to refuse the excess with
 * 503 and to answer probes. {@code server.jetty.threads.max} still sets more; it never sets fewer,
 * so a larger queue or batch cannot leave overload queueing inside Jetty with no deadline. Where
 * every thread was to start with the server ({@code server.jetty.threads.min} equal to the
 * maximum), the raised maximum starts with it too.
 */
@Component
class RequestThreads implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(RequestThreads.class);

    private final int needed;

    RequestThreads(DenseServeProperties properties) {
        this.needed = properties.getInference().requestThreads();
    }

    @Override
    public void customize(JettyServletWebServerFactory factory) {
        if (factory.getThreadPool() instanceof QueuedThreadPool pool && pool.getMaxThreads() < needed) {
            LOG.info("request threads raised from {} to {}: the classifications that may be in flight plus {} spare",
                    pool.getMaxThreads(), needed, DenseServeProperties.Inference.SPARE_REQUEST_THREADS);
            if (pool.getMinThreads() == pool.getMaxThreads()) {
                pool.setMinThreads(needed);
            }
            pool.setMaxThreads(needed);
        }
    }

    /** After Spring Boot's own customizer, which applies {@code server.jetty.threads.*}. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
