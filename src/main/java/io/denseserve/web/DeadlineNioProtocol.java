package io.denseserve.web;

import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's NIO connector with two deadlines it lacks.
 *
 * <p><b>Spread first deadlines.</b> A new connection's deadline for its first bytes is drawn per
 * connection, evenly between {@code (1 - spread)} times {@code server.tomcat.connection-timeout}
 * and all of it. Connections opened together then do not time out together: Tomcat's one poller
 * thread looks for expired connections about once a second and hands every one it finds to a
 * request thread to be closed in that pass, and answers wait behind a pass that closes thousands
 * (RELIABILITY.md §5).
 *
 * <p><b>A deadline for a whole request head.</b> Tomcat's {@code connection-timeout} bounds the
 * wait for each read, so a client that sends one byte of its request line or headers every few
 * seconds holds its connection for hours. A sweep each second finds the connections reading a
 * request head; one found doing so for longer than the header timeout is ended the way Tomcat's
 * poller ends a connection that timed out (an error event, handled after any read in progress).
 * (Cutting its read timeout instead does not work: the poller checks timeouts right after the
 * reads it dispatches, so a client sending a byte more often than once a second is never due.)
 * A connection reads
 * a head while Tomcat's HTTP/1.1 processor stays attached to it between reads, not asynchronous:
 * idle kept-alive connections have none attached, and bodies are read asynchronously
 * ({@link UploadBuffering}), so neither counts.
 *
 * <p>Public, with a public constructor: Tomcat creates its protocol handler from the class name.
 */
public class DeadlineNioProtocol extends Http11NioProtocol {

    public DeadlineNioProtocol() {
        super(new Endpoint());
    }

    /** The fraction of the connection timeout over which first deadlines are spread, 0 to 1 (0: all equal). */
    public void setFirstDeadlineSpread(double spread) {
        if (!(spread >= 0 && spread < 1)) {
            throw new IllegalArgumentException("spread must be at least 0 and below 1: " + spread);
        }
        endpoint().spread = spread;
    }

    public double getFirstDeadlineSpread() {
        return endpoint().spread;
    }

    /** How long a request line and headers may take to arrive whole; set before the connector starts. */
    public void setHeaderTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("header timeout must be positive: " + timeout);
        }
        endpoint().headerTimeoutNanos = timeout.toNanos();
    }

    public Duration getHeaderTimeout() {
        return Duration.ofNanos(endpoint().headerTimeoutNanos);
    }

    private Endpoint endpoint() {
        return (Endpoint) getEndpoint();
    }

    /** A first deadline, for {@code draw} in [0, 1): {@code timeout} less up to {@code spread} of it. */
    static long firstDeadlineMillis(long timeoutMillis, double spread, double draw) {
        return timeoutMillis - Math.round(timeoutMillis * spread * draw);
    }

    /** Whether a connection is between reads of a request line or headers. */
    static boolean readingRequestHead(Object attachedProcessor) {
        return attachedProcessor instanceof Http11Processor processor && !processor.isAsync() && !processor.isUpgrade();
    }

    private static final class Endpoint extends NioEndpoint {

        private static final long SWEEP_SECONDS = 1;

        private volatile double spread;
        private volatile long headerTimeoutNanos = Duration.ofSeconds(20).toNanos();
        /** When each connection reading a request head was first seen doing so; the sweeper's own. */
        private Map<SocketWrapperBase<NioChannel>, Long> readingHeadSince = new HashMap<>();
        private ScheduledExecutorService sweeper;

        @Override
        protected boolean setSocketOptions(SocketChannel socket) {
            if (!super.setSocketOptions(socket)) {
                return false;
            }
            long timeout = getConnectionTimeout();
            SocketWrapperBase<NioChannel> wrapper = connections.get(socket);
            // The poller already watches the connection with the full timeout; lowering it now, a
            // moment later, only moves a deadline that is seconds away. A connection whose first
            // request was already answered in that moment has a keep-alive timeout instead: leave it.
            if (wrapper != null && spread > 0 && timeout > 0 && wrapper.getReadTimeout() == timeout) {
                wrapper.setReadTimeout(firstDeadlineMillis(timeout, spread, ThreadLocalRandom.current().nextDouble()));
            }
            return true;
        }

        @Override
        public void startInternal() throws Exception {
            super.startInternal();
            sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, getName() + "-HeadDeadline");
                thread.setDaemon(true);
                return thread;
            });
            sweeper.scheduleWithFixedDelay(this::closeSlowHeads, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void stopInternal() {
            if (sweeper != null) {
                sweeper.shutdownNow();
            }
            super.stopInternal();
        }

        private void closeSlowHeads() {
            try {
                sweep(System.nanoTime());
            } catch (RuntimeException e) {
                // A failed pass must not end the schedule: the next one starts afresh.
                getLog().warn("request head deadline: pass failed", e);
            }
        }

        private void sweep(long now) {
            Map<SocketWrapperBase<NioChannel>, Long> stillReading = new HashMap<>();
            for (SocketWrapperBase<NioChannel> wrapper : connections.values()) {
                if (readingRequestHead(wrapper.getCurrentProcessor())) {
                    long since = readingHeadSince.getOrDefault(wrapper, now);
                    stillReading.put(wrapper, since);
                    if (now - since > headerTimeoutNanos) {
                        // As Tomcat's poller ends a connection that timed out: an error event, handled
                        // under the connection's lock, after any read being processed.
                        wrapper.setError(new SocketTimeoutException("request head not received whole within the header timeout"));
                        processSocket(wrapper, SocketEvent.ERROR, true);
                        stillReading.remove(wrapper);
                    }
                }
            }
            readingHeadSince = stillReading;
        }
    }
}
