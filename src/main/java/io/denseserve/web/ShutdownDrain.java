package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.inference.ShuttingDownException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The first step of shutdown, before the web server's graceful shutdown: for
 * {@code denseserve.shutdown.drain-period} readiness reports REFUSING_TRAFFIC (so load balancers
 * stop sending), new classifications get 503 {@code shutting-down}, and every response carries
 * {@code Connection: close}.
 *
 * <p>Why: Tomcat's graceful shutdown finishes the requests in flight but drops requests that
 * arrive on idle keep-alive connections once it has paused, and a client sees that as a connection
 * closed with no answer (measured by {@code SigtermUnderLoadIT}: 15 of 300 late requests). Closing
 * every connection with an answer first, then the listening port, leaves late clients only a
 * refused connection, which they know is safe to retry.
 */
@Component
class ShutdownDrain implements SmartLifecycle, HandlerInterceptor, WebMvcConfigurer {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownDrain.class);

    private final ApplicationEventPublisher events;
    private final Duration drainPeriod;
    private volatile boolean running;
    private volatile boolean draining;

    ShutdownDrain(ApplicationEventPublisher events, DenseServeProperties properties) {
        this.events = events;
        this.drainPeriod = properties.getShutdown().getDrainPeriod();
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (draining) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
            if (ClassificationRequests.matches(request)) {
                throw new ShuttingDownException("the service is shutting down; retry on another instance");
            }
        }
        return true;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Runs first on shutdown (highest phase): drain, then let the web server finish what is in flight. */
    @Override
    public void stop() {
        draining = true;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        LOG.info("draining for {} before graceful shutdown: readiness REFUSING_TRAFFIC, new classifications get 503",
                drainPeriod);
        try {
            Thread.sleep(drainPeriod.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
