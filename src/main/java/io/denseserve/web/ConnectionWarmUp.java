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
import java.util.Arrays;
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
 * {@code connectionWarmUp} in the readiness group: before the service reports ready, it sends its
 * own connector, over loopback for {@code denseserve.connections.warm-up}, the traffic that a fresh
 * JVM would otherwise first meet in a trickling attack. Throughout, 16 kept-alive connections send
 * whole requests one after another (the list of models, with a body: read, dispatched to its
 * handler and answered 200, the way every normal request reaches its handler), alone for the first half,
 * since beside thousands of body reads a second they get few turns. From halfway, 256 connections
 * drip request bodies as such an attack does: each sends a classification's head and then a byte
 * every 25 ms, is answered 408 by the rate check (which gives these bodies no grace period,
 * {@link UploadBuffering}) or goes away mid-body after 0.5-4 s, and is reopened. Half of them go
 * once answered; the others drip on, as an attack's clients do, until the server's lingering close
 * ends the connection from its own thread.
 *
 * <p>Why: on a fresh JVM the first attack made the JIT compile Tomcat's asynchronous read dispatch,
 * the body reads and the 408 answers with about a quarter of a CPU for 40-50 s, while normal
 * clients' p99 rose up to 3x on 2 CPUs. And code compiled for one kind of traffic is thrown out
 * when another takes a branch it never took: connection handling compiled during a warm-up of
 * dripped bodies alone was deoptimized as normal requests arrived, and compiled for those, it was
 * deoptimized all at once (Tomcat's connection handler, asynchronous dispatch and the poller's
 * event loop) when the first attack's lingering closes ran out (RELIABILITY.md §5).
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
    private static final int EXCHANGES = 16;
    private static final int WHOLE_BODY_BYTES = 2048;
    private static final long DRIP_NANOS = 25_000_000;
    private static final byte[] DRIP = {'x'};
    private static final long SELECT_MILLIS = 5;
    private static final long SHORTEST_LIFETIME_NANOS = 500_000_000;
    private static final long LONGEST_LIFETIME_NANOS = 4_000_000_000L;

    enum State { PENDING, RUNNING, DONE, OFF }

    private final Duration duration;
    private final InetAddress address;
    private final boolean tls;
    private final String token = HexFormat.of().formatHex(randomBytes());
    private final byte[] head;
    private final byte[] wholeRequest;
    /** How long a connection that ignores its answer drips on: past the lingering close that ends it. */
    private final long outlastLingeringNanos;
    private volatile State state = State.PENDING;
    private volatile boolean stopping;
    private volatile int opened; // written by the warm-up's thread only
    private volatile int answered;
    private volatile int exchanges;

    ConnectionWarmUp(DenseServeProperties properties, ServerProperties server) {
        this.duration = properties.getConnections().getWarmUp();
        this.outlastLingeringNanos = properties.getUploads().getLingeringClose().plusSeconds(1).toNanos();
        InetAddress configured = server.getAddress();
        this.address = configured == null || configured.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : configured;
        this.tls = server.getSsl() != null && server.getSsl().isEnabled();
        this.head = ("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n"
                + HEADER + ": " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.wholeRequest = wholeRequest(token);
    }

    /**
     * The list of models, with a body: read as every body is, then dispatched to the handler, which
     * ignores it and answers 200 (a request that Spring MVC refuses is logged, each one).
     */
    private static byte[] wholeRequest(String token) {
        byte[] head = ("GET /models HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: "
                + WHOLE_BODY_BYTES + "\r\n" + HEADER + ": " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + WHOLE_BODY_BYTES);
        Arrays.fill(request, head.length, request.length, (byte) 'x');
        return request;
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
            for (int i = 0; i < EXCHANGES; i++) {
                openExchange(selector, target, startNanos);
            }
            // Whole requests alone first: beside thousands of body reads a second they get few turns.
            long dripsFromNanos = startNanos + duration.toNanos() / 2;
            boolean dripping = false;
            ByteBuffer read = ByteBuffer.allocate(4096);
            while (!stopping && System.nanoTime() < endNanos) {
                if (!dripping && System.nanoTime() >= dripsFromNanos) {
                    dripping = true;
                    for (int i = 0; i < CONNECTIONS; i++) {
                        openDrip(selector, target, System.nanoTime());
                    }
                }
                selector.select(SELECT_MILLIS);
                for (SelectionKey key : selector.selectedKeys()) {
                    read.clear();
                    int n = readQuietly((SocketChannel) key.channel(), read);
                    if (key.attachment() instanceof WarmUpExchange exchange) {
                        exchanged(key, exchange, n, read, selector, target);
                    } else {
                        dripAnswered(key, (Drip) key.attachment(), n, selector, target);
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                for (SelectionKey key : List.copyOf(selector.keys())) {
                    if (!key.isValid() || !(key.attachment() instanceof Drip drip) || now < drip.nextNanos) {
                        continue;
                    }
                    if (now >= drip.endNanos) {
                        replaceDrip(key, selector, target); // goes away mid-body
                        continue;
                    }
                    drip.nextNanos = now + DRIP_NANOS;
                    if (!writeQuietly((SocketChannel) key.channel(), DRIP)) {
                        replaceDrip(key, selector, target);
                    }
                }
            }
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key);
            }
            LOG.info("connection warm-up: {} connections dripped bodies for {} ms, {} of them answered 408; {} whole requests answered",
                    opened, (System.nanoTime() - startNanos) / 1_000_000, answered, exchanges);
        } catch (IOException | RuntimeException e) {
            // Readiness must not hang on it: the service only misses the head start on the JIT.
            LOG.warn("connection warm-up ended early: {}", e.toString());
        } finally {
            state = State.DONE;
        }
    }

    /** A dripping connection read {@code n} bytes: its 408, or the end of the connection. */
    private void dripAnswered(SelectionKey key, Drip drip, int n, Selector selector, InetSocketAddress target)
            throws IOException {
        if (n < 0) {
            replaceDrip(key, selector, target); // closed by the server: after its 408, or after lingering
        } else if (n > 0 && !drip.answered) {
            drip.answered = true;
            answered++;
            if (drip.ignoresAnswer) {
                // Dripping on until the server's lingering deadline closes the connection.
                drip.endNanos = System.nanoTime() + outlastLingeringNanos;
            } else {
                replaceDrip(key, selector, target);
            }
        }
    }

    /** A connection sending whole requests read {@code n} bytes: the next request once an answer is whole. */
    private void exchanged(SelectionKey key, WarmUpExchange exchange, int n, ByteBuffer read, Selector selector,
            InetSocketAddress target) throws IOException {
        if (n < 0) {
            replaceExchange(key, selector, target);
        } else if (n > 0 && exchange.received(read)) {
            exchanges++;
            if (System.nanoTime() < exchange.endNanos && writeQuietly((SocketChannel) key.channel(), wholeRequest)) {
                return;
            }
            replaceExchange(key, selector, target); // between two requests, as a client done with its connection
        }
    }

    private static final class Drip {
        /** Like a trickling attack's clients, which never read: the answer does not stop the drip. */
        final boolean ignoresAnswer;
        long endNanos;
        long nextNanos;
        boolean answered;

        Drip(boolean ignoresAnswer, long endNanos, long nextNanos) {
            this.ignoresAnswer = ignoresAnswer;
            this.endNanos = endNanos;
            this.nextNanos = nextNanos;
        }
    }

    private void openDrip(Selector selector, InetSocketAddress target, long now) throws IOException {
        Drip drip = new Drip(opened % 2 == 0, now + lifetimeNanos(), now + ThreadLocalRandom.current().nextLong(DRIP_NANOS));
        open(selector, target, head, drip);
        opened++;
    }

    private void openExchange(Selector selector, InetSocketAddress target, long now) throws IOException {
        open(selector, target, wholeRequest, new WarmUpExchange(now + lifetimeNanos()));
    }

    /** Closes {@code key}'s connection and opens a dripping one in its place. */
    private void replaceDrip(SelectionKey key, Selector selector, InetSocketAddress target) throws IOException {
        closeQuietly(key);
        openDrip(selector, target, System.nanoTime());
    }

    /** Closes {@code key}'s connection and opens one sending whole requests in its place. */
    private void replaceExchange(SelectionKey key, Selector selector, InetSocketAddress target) throws IOException {
        closeQuietly(key);
        openExchange(selector, target, System.nanoTime());
    }

    private static long lifetimeNanos() {
        return ThreadLocalRandom.current().nextLong(SHORTEST_LIFETIME_NANOS, LONGEST_LIFETIME_NANOS);
    }

    private static void open(Selector selector, InetSocketAddress target, byte[] first, Object attachment) throws IOException {
        SocketChannel channel = SocketChannel.open(target);
        try {
            channel.write(ByteBuffer.wrap(first)); // blocking, and far smaller than a socket buffer
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, attachment);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** False where the connection is gone: the server closed it meanwhile. */
    private static boolean writeQuietly(SocketChannel channel, byte[] bytes) {
        try {
            channel.write(ByteBuffer.wrap(bytes)); // far smaller than a socket buffer: written whole
            return true;
        } catch (IOException closed) {
            return false;
        }
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
            health.withDetail("connections", opened).withDetail("answered408", answered).withDetail("wholeRequests", exchanges);
        }
        return health.build();
    }

    @PreDestroy
    void stop() {
        stopping = true;
    }
}
