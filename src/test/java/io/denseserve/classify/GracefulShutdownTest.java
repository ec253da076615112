package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.DenseServeApplication;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Shutting the application down (what SIGTERM triggers) while requests are in flight: every one of
 * them is answered 200, none is cut off, and the process then stops.
 */
class GracefulShutdownTest {

    @Test
    void inFlightRequestsFinishDuringShutdown() throws Exception {
        int port = Http.freePort();
        Path bundle = TestBundles.rgb(22, 12, 96);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DenseServeApplication.class).run(
                "--server.port=" + port, "--denseserve.model.bundle=" + bundle,
                "--denseserve.inference.batch-size=16", "--denseserve.inference.max-batch-delay=2s",
                "--spring.main.banner-mode=off");
        Http http = new Http(port);
        http.awaitReady();
        byte[] png = Images.png(96, 96);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> http.postRaw("/classify", "image/png", png), pool));
            }
            // Wait until all 8 are admitted: they then wait for a batch of 16 that never fills, so they
            // are surely in flight when shutdown begins, and are answered during it.
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (registry.get("denseserve.requests.in.flight").gauge().value() < 8 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(registry.get("denseserve.requests.in.flight").gauge().value()).isEqualTo(8);
            long start = System.nanoTime();
            context.close(); // graceful: stop accepting, drain requests in flight, then drain the model queue
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(35));
            assertThat(context.isActive()).isFalse();
        } finally {
            pool.shutdownNow();
            if (context.isActive()) {
                context.close();
            }
        }
    }
}
