package io.denseserve.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a rotation of {@link Shot}s to {@code POST /classify} with {@code java.net.http}.
 *
 * <p>Closed loop: a fixed number of clients, each sending its next request when the last is
 * answered (steady load that cannot overload the server). Open loop: requests at a fixed arrival
 * rate whatever the server does, which is how overload really arrives; latency is then counted from
 * each request's scheduled time, so a stalled sender cannot hide queueing (coordinated omission).
 * A request with no answer within {@code timeout} counts as hung.
 */
final class LoadDriver {

    private final RunningService server;
    private final List<Shot> shots;
    private final Duration timeout;
    private final AtomicLong next = new AtomicLong();

    LoadDriver(RunningService server, List<Shot> shots, Duration timeout) {
        this.server = server;
        this.shots = List.copyOf(shots);
        this.timeout = timeout;
    }

    /**
     * Warms the server up (8 closed-loop clients for 10 s), then returns its saturation rate: the
     * 200s per second that 32 closed-loop clients get over 10 s.
     */
    double saturationPerSecond() throws InterruptedException {
        closedLoop(8, Duration.ofSeconds(10));
        Duration measure = Duration.ofSeconds(10);
        return closedLoop(32, measure).answered(200) / (double) measure.toSeconds();
    }

    LoadReport closedLoop(int clients, Duration duration) throws InterruptedException {
        LoadReport report = new LoadReport();
        HttpClient client = newClient(HttpClient.newBuilder());
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                while (System.nanoTime() < end) {
                    Shot shot = nextShot();
                    long sent = System.nanoTime();
                    report.sent();
                    try {
                        HttpResponse<String> r = client.send(request(shot), HttpResponse.BodyHandlers.ofString());
                        report.answered(shot, r.statusCode(), sent, 0, System.nanoTime() - sent, r.body());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        report.failed(shot, sent, e);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(duration.toMillis() + timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("closed-loop clients did not finish");
        }
        report.offeredFor(duration.toNanos() / 1e9);
        return report;
    }

    LoadReport openLoop(double perSecond, Duration duration) throws InterruptedException {
        LoadReport report = new LoadReport();
        // The client's executor runs all of its asynchronous work (connecting, sending, reading), not
        // only our callbacks: a fixed pool of 2 made the driver itself the queue at the start of a
        // burst, and OverloadIT then reported 800 ms "refusals" the server had answered at once.
        ExecutorService clientExecutor = Executors.newCachedThreadPool();
        HttpClient client = newClient(HttpClient.newBuilder().executor(clientExecutor));
        AtomicLong outstanding = new AtomicLong();
        long interval = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (long i = 0; ; i++) {
            long scheduled = start + i * interval;
            if (scheduled >= end) {
                break;
            }
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Shot shot = nextShot();
            report.sent();
            outstanding.incrementAndGet();
            long senderLate = System.nanoTime() - scheduled;
            client.sendAsync(request(shot), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                if (e == null) {
                    report.answered(shot, r.statusCode(), scheduled, senderLate, System.nanoTime() - scheduled, r.body());
                } else {
                    report.failed(shot, scheduled, e);
                }
                outstanding.decrementAndGet();
            });
        }
        report.offeredFor((System.nanoTime() - start) / 1e9);
        long giveUp = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(10);
        while (outstanding.get() > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(50);
        }
        clientExecutor.shutdown();
        if (outstanding.get() > 0) {
            throw new IllegalStateException(outstanding.get() + " requests neither answered nor timed out");
        }
        return report;
    }

    private Shot nextShot() {
        return shots.get((int) (next.getAndIncrement() % shots.size()));
    }

    /** HTTP/1.1 (what clients of a model server use; no h2c upgrade attempts) with a 5 s connect timeout. */
    private static HttpClient newClient(HttpClient.Builder builder) {
        return builder.version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpRequest request(Shot shot) {
        URI uri = server.uri("/classify" + shot.query());
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", shot.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(shot.body())).build();
    }
}
