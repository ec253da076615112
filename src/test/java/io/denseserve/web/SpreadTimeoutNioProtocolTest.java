package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle connections opened together on {@link SpreadTimeoutNioProtocol} are closed over the spread
 * of their first deadlines, not in one pass of Tomcat's poller.
 */
class SpreadTimeoutNioProtocolTest {

    private static final int CONNECTIONS = 60;
    private static final long TIMEOUT_MS = 4000;

    @TempDir
    Path baseDir;

    @Test
    void firstDeadlinesLieBetweenTheSpreadAndTheWholeTimeout() {
        assertThat(SpreadTimeoutNioProtocol.firstDeadlineMillis(20_000, 0.5, 0.0)).isEqualTo(20_000);
        assertThat(SpreadTimeoutNioProtocol.firstDeadlineMillis(20_000, 0.5, 0.5)).isEqualTo(15_000);
        assertThat(SpreadTimeoutNioProtocol.firstDeadlineMillis(20_000, 0.5, Math.nextDown(1.0))).isEqualTo(10_000);
        assertThat(SpreadTimeoutNioProtocol.firstDeadlineMillis(20_000, 0.0, 0.9)).isEqualTo(20_000);
    }

    @Test
    void aSpreadOfOneOrMoreWouldCloseConnectionsAtOnceAndIsRefused() {
        SpreadTimeoutNioProtocol protocol = new SpreadTimeoutNioProtocol();
        assertThatThrownBy(() -> protocol.setFirstDeadlineSpread(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> protocol.setFirstDeadlineSpread(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> protocol.setFirstDeadlineSpread(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
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

    /** Seconds from opening until the server closed each of {@link #CONNECTIONS} connections that send nothing. */
    private List<Double> closeTimesOfIdleConnections(double spread) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector(SpreadTimeoutNioProtocol.class.getName());
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("connectionTimeout", Long.toString(TIMEOUT_MS));
        ((SpreadTimeoutNioProtocol) connector.getProtocolHandler()).setFirstDeadlineSpread(spread);
        tomcat.setConnector(connector);
        tomcat.start();
        ExecutorService readers = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            long opened = System.nanoTime();
            List<Future<Double>> closes = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.getLocalPort());
                closes.add(readers.submit(() -> secondsUntilClosed(socket, opened)));
            }
            List<Double> closedAfter = new ArrayList<>();
            for (Future<Double> close : closes) {
                closedAfter.add(close.get(TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS));
            }
            return closedAfter;
        } finally {
            readers.shutdownNow();
            tomcat.stop();
            tomcat.destroy();
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
