package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeadlineNioProtocol} on an embedded Tomcat: idle connections opened together are closed
 * over the spread of their first deadlines, not in one pass of Tomcat's poller; a request head
 * sent a byte at a time is closed at the header timeout although every byte comes within the
 * connection timeout; whole requests and idle kept-alive connections are left alone.
 */
class DeadlineNioProtocolTest {

    private static final int CONNECTIONS = 60;
    private static final long TIMEOUT_MS = 4000;
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path baseDir;

    private Tomcat tomcat;

    @AfterEach
    void stopTomcat() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void firstDeadlinesLieBetweenTheSpreadAndTheWholeTimeout() {
        assertThat(DeadlineNioProtocol.firstDeadlineMillis(20_000, 0.5, 0.0)).isEqualTo(20_000);
        assertThat(DeadlineNioProtocol.firstDeadlineMillis(20_000, 0.5, 0.5)).isEqualTo(15_000);
        assertThat(DeadlineNioProtocol.firstDeadlineMillis(20_000, 0.5, Math.nextDown(1.0))).isEqualTo(10_000);
        assertThat(DeadlineNioProtocol.firstDeadlineMillis(20_000, 0.0, 0.9)).isEqualTo(20_000);
    }

    @Test
    void aSpreadOfOneAndANonPositiveHeaderTimeoutAreRefused() {
        DeadlineNioProtocol protocol = new DeadlineNioProtocol();
        assertThatThrownBy(() -> protocol.setFirstDeadlineSpread(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> protocol.setFirstDeadlineSpread(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> protocol.setFirstDeadlineSpread(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> protocol.setHeaderTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idleConnectionsOpenedTogetherAreClosedOverTheSpread() throws Exception {
        List<Double> closedAfter = closeTimesOfIdleConnections(0.75);
        // Deadlines drawn from 1 s to 4 s: the poller's passes, about a second apart, close them in
        // several. Equal deadlines close all of them in one pass (two if the opening straddles one).
        assertThat(closedAfter).allSatisfy(s -> assertThat(s).isBetween(0.9, TIMEOUT_MS / 1000.0 + 2.0));
        double first = closedAfter.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double last = closedAfter.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertThat(last - first).as("seconds between the first and the last close of %s", closedAfter).isGreaterThan(1.5);
    }

    @Test
    void withoutASpreadEveryIdleConnectionGetsTheWholeTimeout() throws Exception {
        List<Double> closedAfter = closeTimesOfIdleConnections(0.0);
        assertThat(closedAfter).allSatisfy(s -> assertThat(s).isBetween(TIMEOUT_MS / 1000.0 - 0.1, TIMEOUT_MS / 1000.0 + 2.0));
    }

    @Test
    void aRequestLineSentByteByByteIsClosedAtTheHeaderTimeout() throws Exception {
        double closedAfter = secondsUntilClosedWhileDripping(start(0.5), "", "GET /dripping/request/line/of/some/length HTTP/1.1");
        assertThat(closedAfter).isBetween(HEADER_TIMEOUT.toMillis() / 1000.0, HEADER_TIMEOUT.toMillis() / 1000.0 + 3.0);
    }

    @Test
    void headersSentByteByByteAreClosedAtTheHeaderTimeout() throws Exception {
        // Each byte comes well within the 4 s connection timeout: only the deadline for the whole head ends it.
        double closedAfter = secondsUntilClosedWhileDripping(start(0.5), "GET / HTTP/1.1\r\nHost: test\r\n",
                "X-Slow: " + "a".repeat(40));
        assertThat(closedAfter).isBetween(HEADER_TIMEOUT.toMillis() / 1000.0, HEADER_TIMEOUT.toMillis() / 1000.0 + 3.0);
    }

    @Test
    void aKeptAliveConnectionIdleBeyondTheHeaderTimeoutStillServesItsNextRequest() throws Exception {
        int port = start(0.5);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            assertThat(exchange(socket)).startsWith("HTTP/1.1 200");
            Thread.sleep(HEADER_TIMEOUT.toMillis() + 2000);
            assertThat(exchange(socket)).as("second request on the same connection").startsWith("HTTP/1.1 200");
        }
    }

    /** Starts Tomcat on the protocol with a 4 s connection timeout, a 10 s keep-alive and a servlet answering "ok". */
    private int start(double spread) throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector(DeadlineNioProtocol.class.getName());
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("connectionTimeout", Long.toString(TIMEOUT_MS));
        connector.setProperty("keepAliveTimeout", "10000");
        DeadlineNioProtocol protocol = (DeadlineNioProtocol) connector.getProtocolHandler();
        protocol.setFirstDeadlineSpread(spread);
        protocol.setHeaderTimeout(HEADER_TIMEOUT);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", baseDir.toString());
        Tomcat.addServlet(context, "ok", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentLength(2);
                response.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
            }
        });
        context.addServletMappingDecoded("/", "ok");
        tomcat.start();
        return connector.getLocalPort();
    }

    /** Sends a whole GET and reads its answer (headers and the 2-byte body). */
    private static String exchange(Socket socket) throws IOException {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder answer = new StringBuilder();
        while (!answer.toString().endsWith("\r\n\r\nok")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + answer);
            }
            answer.append((char) b);
        }
        return answer.toString();
    }

    /**
     * Sends {@code prefix} at once, then {@code dripped} a byte every 250 ms (then more, for at most
     * 15 s); returns the seconds from the first byte until the server closed the connection.
     */
    private static double secondsUntilClosedWhileDripping(int port, String prefix, String dripped) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(250);
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            out.write(prefix.getBytes(StandardCharsets.US_ASCII));
            String bytes = dripped.repeat(10);
            for (int i = 0; System.nanoTime() - start < 15_000_000_000L; i++) {
                try {
                    out.write(bytes.charAt(i % bytes.length()));
                    out.flush();
                    if (socket.getInputStream().read() < 0) {
                        return (System.nanoTime() - start) / 1e9;
                    }
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // Nothing to read yet: the connection is open; send the next byte.
                } catch (SocketException closed) {
                    return (System.nanoTime() - start) / 1e9;
                }
            }
            throw new AssertionError("still open after 15 s of a dripping request head");
        }
    }

    /** Seconds from opening until the server closed each of {@link #CONNECTIONS} connections that send nothing. */
    private List<Double> closeTimesOfIdleConnections(double spread) throws Exception {
        int port = start(spread);
        ExecutorService readers = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            long opened = System.nanoTime();
            List<Future<Double>> closes = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                closes.add(readers.submit(() -> secondsUntilClosed(socket, opened)));
            }
            List<Double> closedAfter = new ArrayList<>();
            for (Future<Double> close : closes) {
                closedAfter.add(close.get(TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS));
            }
            return closedAfter;
        } finally {
            readers.shutdownNow();
        }
    }

    private static double secondsUntilClosed(Socket socket, long opened) throws IOException {
        try (socket) {
            socket.setSoTimeout((int) TIMEOUT_MS + 8_000);
            int read = socket.getInputStream().read();
            assertThat(read).as("the server sent nothing before closing").isEqualTo(-1);
            return (System.nanoTime() - opened) / 1e9;
        }
    }
}
