package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code connectionWarmUp} in the readiness group: before the service reports ready, it drips
 * request bodies into its own connector over loopback for {@code denseserve.connections.warm-up},
 * as a trickling attack does: 256 connections each send a classification's head and then a byte
 * every 25 ms, and are answered 408 by the rate check (which gives these bodies no grace period,
 * {@link UploadBuffering}) or go away mid-body after 0.5-4 s, and are reopened: about a hundred
 * 408s and reopened connections a second, and ten thousand body reads. On a fresh JVM the first such
 * attack made the JIT compile Tomcat's asynchronous read dispatch, the body reads and the 408
 * answers, and recompile connection handling that normal requests share, with about a quarter of
 * a CPU for 40-50 s, while normal clients' p99 rose up to 3x on 2 CPUs (RELIABILITY.md §5). Done
 * here, more than half of that compilation happens while no client waits.
 *
 * <p>Its requests carry a header with a token drawn per process ({@link #isOwn}), and are left out
 * of the request metrics. Without a plain-HTTP connector to reach (TLS on, or no web server) it
 * does nothing.
 */
@Component("connectionWarmUp")
public class ConnectionWarmUp implements HealthIndicator {

    static final String HEADER = "DenseServe-Warm-Up";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWarmUp.class);
    private static final int CONNECTIONS = 256;
    private static final long DRIP_NANOS = 25_000_000;
    private static final long SELECT_MILLIS = 5;
    private static final long SHORTEST_LIFETIME_NANOS = 500_000_000;
    private static final long LONGEST_LIFETIME_NANOS = 4_000_000_000L;

    enum State { PENDING, RUNNING, DONE, OFF }

    private final Duration duration;
    private final InetAddress address;
    private final boolean tls;
    private final String token = HexFormat.of().formatHex(randomBytes());
    private final byte[] head;
    private volatile State state = State.PENDING;
    private volatile boolean stopping;
    private volatile int opened; // written by the warm-up's thread only
    private volatile int answered;

    ConnectionWarmUp(DenseServeProperties properties, ServerProperties server) {
        this.duration = properties.getConnections().getWarmUp();
        InetAddress configured = server.getAddress();
        this.address = configured == null || configured.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : configured;
        this.tls = server.getSsl() != null && server.getSsl().isEnabled();
        this.head = ("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n"
                + HEADER + ": " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Whether {@code request} is one of this warm-up's own, which the request metrics leave out. */
    public boolean isOwn(HttpServletRequest request) {
        String value = request.getHeader(HEADER);
        return value != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    State state() {
        return state;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start(ApplicationReadyEvent event) {
        if (duration.isZero() || tls || !(event.getApplicationContext() instanceof WebServerApplicationContext web)
                || web.getWebServer() == null) {
            state = State.OFF;
            return;
        }
        InetSocketAddress target = new InetSocketAddress(address, web.getWebServer().getPort());
        Thread runner = new Thread(() -> run(target), "connection-warm-up");
        runner.setDaemon(true);
        state = State.RUNNING;
        runner.start();
    }

    private void run(InetSocketAddress target) {
        long startNanos = System.nanoTime();
        long endNanos = startNanos + duration.toNanos();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                open(selector, target, startNanos);
            }
            ByteBuffer read = ByteBuffer.allocate(1024);
            ByteBuffer drop = ByteBuffer.allocate(1);
            while (!stopping && System.nanoTime() < endNanos) {
                selector.select(SELECT_MILLIS);
                for (SelectionKey key : selector.selectedKeys()) {
                    read.clear();
                    int n = readQuietly((SocketChannel) key.channel(), read);
                    if (n != 0) { // an answer (the 408), or the connection closed
                        if (n > 0) {
                            answered++;
                        }
                        reopen(key, selector, target);
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                for (SelectionKey key : List.copyOf(selector.keys())) {
                    Drip drip = (Drip) key.attachment();
                    if (!key.isValid() || now < drip.nextNanos) {
                        continue;
                    }
                    if (now >= drip.endNanos) {
                        reopen(key, selector, target); // goes away mid-body
                        continue;
                    }
                    drip.nextNanos = now + DRIP_NANOS;
                    drop.clear().put((byte) 'x').flip();
                    try {
                        ((SocketChannel) key.channel()).write(drop);
                    } catch (IOException closed) {
                        reopen(key, selector, target);
                    }
                }
            }
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key);
            }
            LOG.info("connection warm-up: {} connections dripped bodies for {} ms, {} of them answered 408",
                    opened, (System.nanoTime() - startNanos) / 1_000_000, answered);
        } catch (IOException | RuntimeException e) {
            // Readiness must not hang on it: the service only misses the head start on the JIT.
            LOG.warn("connection warm-up ended early: {}", e.toString());
        } finally {
            state = State.DONE;
        }
    }

    private static final class Drip {
        final long endNanos;
        long nextNanos;

        Drip(long endNanos, long nextNanos) {
            this.endNanos = endNanos;
            this.nextNanos = nextNanos;
        }
    }

    private void open(Selector selector, InetSocketAddress target, long now) throws IOException {
        SocketChannel channel = SocketChannel.open(target);
        try {
            channel.write(ByteBuffer.wrap(head)); // blocking, and far smaller than a socket buffer
            channel.configureBlocking(false);
            long lifetime = ThreadLocalRandom.current().nextLong(SHORTEST_LIFETIME_NANOS, LONGEST_LIFETIME_NANOS);
            channel.register(selector, SelectionKey.OP_READ,
                    new Drip(now + lifetime, now + ThreadLocalRandom.current().nextLong(DRIP_NANOS)));
            opened++;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void reopen(SelectionKey key, Selector selector, InetSocketAddress target) throws IOException {
        closeQuietly(key);
        open(selector, target, System.nanoTime());
    }

    private static int readQuietly(SocketChannel channel, ByteBuffer into) {
        try {
            return channel.read(into);
        } catch (IOException reset) {
            return -1;
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing a connection this side is done with
        }
    }

    @Override
    public Health health() {
        State now = state;
        Health.Builder health = now == State.DONE || now == State.OFF ? Health.up() : Health.outOfService();
        health.withDetail("state", now);
        if (now != State.OFF) {
            health.withDetail("connections", opened).withDetail("answered408", answered);
        }
        return health.build();
    }

    @PreDestroy
    void stop() {
        stopping = true;
    }
}
