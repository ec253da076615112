package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM while requests arrive at a steady rate: every request sent before the signal is
 * answered 200 (none is lost), later ones are refused cleanly (503, or the connection is refused
 * because the port is closed) and none hangs, and the service exits with the signal's status
 * within the grace period. Shared by the process and container runs, which differ in how they
 * send the signal.
 */
final class SigtermDrain {

    /** Requests sent this close to the signal may not have reached the server yet. */
    static final long RACE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * How long before the first refused connect a request may have been queued in the kernel when
     * the port closed: the server stops its acceptor and then closes the
     * socket, slower on two cores busy with inference.
     */
    static final long PORT_CLOSE_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** How a connection reset unread shows to {@link java.net.http.HttpClient}. */
    private static final List<String> CLOSED_UNANSWERED = List.of("IOException: HTTP/1.1 header parser received no bytes",
            "IOException: Connection reset");

    private SigtermDrain() {}

    /**
     * Open-loop load at {@code perSecond}, {@code terminate} (which returns the exit status) after
     * 3 s, then the figures into {@code figures} and the assertions.
     */
    static void check(RunningService service, double perSecond, Duration grace, Callable<Integer> terminate,
            Map<String, Object> figures) throws Exception {
        check(service, perSecond, grace, terminate, figures, ConnectException.class.getSimpleName());
    }

    /**
     * As {@link #check(RunningService, double, Duration, Callable, Map)}, with {@code refusedPrefixes}
     * the errors that count as a clean refusal after the signal: through a port forwarder (a
     * container's published port) a closed port shows as a connection closed with no answer, not
     * a refused connect.
     */
    static void check(RunningService service, double perSecond, Duration grace, Callable<Integer> terminate,
            Map<String, Object> figures, String... refusedPrefixes) throws Exception {
        List<Shot> shots = ReliabilityShots.good().stream().map(s -> s.withAlsoExpected(503)).toList();
        LoadDriver driver = new LoadDriver(service, shots, Duration.ofSeconds(40));
        driver.closedLoop(4, Duration.ofSeconds(3)); // warm-up
        CompletableFuture<LoadReport> load = CompletableFuture.supplyAsync(() -> {
            try {
                return driver.openLoop(perSecond, Duration.ofSeconds(8));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(3_000);
        long sigterm = System.nanoTime();
        int exit = terminate.call();
        double exitSeconds = (System.nanoTime() - sigterm) / 1e9;
        LoadReport report = load.get(2, TimeUnit.MINUTES);

        long okBefore = report.sentTimes(200).stream().filter(t -> t < sigterm).count();
        List<LoadReport.Failure> lostBefore = report.failures().stream()
                .filter(f -> f.sentNanos() < sigterm - RACE_MARGIN_NANOS).toList();
        List<LoadReport.Failure> late = report.failures().stream()
                .filter(f -> f.sentNanos() >= sigterm - RACE_MARGIN_NANOS).toList();
        List<LoadReport.Failure> refused = late.stream()
                .filter(f -> Arrays.stream(refusedPrefixes).anyMatch(f.error()::startsWith)).toList();
        long portClosed = refused.stream().mapToLong(LoadReport.Failure::sentNanos).min().orElse(Long.MAX_VALUE);
        List<LoadReport.Failure> resetAsPortClosed = late.stream().filter(f -> !refused.contains(f))
                .filter(f -> CLOSED_UNANSWERED.stream().anyMatch(f.error()::startsWith))
                .filter(f -> f.sentNanos() <= portClosed && portClosed - f.sentNanos() <= PORT_CLOSE_WINDOW_NANOS)
                .toList();
        List<LoadReport.Failure> unclean = late.stream()
                .filter(f -> !refused.contains(f) && !resetAsPortClosed.contains(f)).toList();
        figures.put("exitStatus", exit);
        figures.put("secondsFromSigtermToExit", LoadReport.round(exitSeconds));
        figures.put("answered200SentBeforeSigterm", okBefore);
        figures.put("answered200SentAfterSigterm", report.answered(200) - okBefore);
        figures.put("refused503", report.answered(503));
        figures.put("connectionRefusedAfterSigterm", refused.size());
        figures.put("resetUnreadAsThePortClosed", resetAsPortClosed.size());
        figures.put("lostSentBeforeSigterm", lostBefore.size());
        figures.put("uncleanAfterSigterm", unclean.stream().map(LoadReport.Failure::toString).toList());
        figures.put("load", report.summary());

        assertThat(lostBefore).as("requests sent before SIGTERM without an answer").isEmpty();
        assertThat(report.unexpectedSamples()).as("answers other than 200 or 503").isEmpty();
        assertThat(unclean).as("requests after SIGTERM that were neither answered nor refused at connect").isEmpty();
        assertThat(okBefore).as("requests in flight at SIGTERM that completed").isGreaterThan(10);
        assertThat(exit).as("exit status after SIGTERM (143 = terminated by the signal, after the shutdown hooks)").isIn(0, 143);
        assertThat(exitSeconds).as("seconds from SIGTERM to exit, within the grace period").isLessThan(grace.toSeconds());
    }
}
