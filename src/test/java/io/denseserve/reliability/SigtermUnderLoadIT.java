package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the packaged jar's process under load ({@link SigtermDrain}). The batch delay is
 * raised to 300 ms so dozens of requests are queued at the moment of the signal rather than the
 * two or three a 5 ms delay would leave in flight.
 */
class SigtermUnderLoadIT {

    @Test
    void requestsInFlightAtSigtermAllSucceedAndLaterOnesAreRefusedCleanly() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        try (ServerProcess server = ServerProcess.start("sigterm", "--denseserve.inference.max-batch-delay=300ms",
                "--denseserve.inference.batch-size=32")) {
            Duration grace = Duration.ofSeconds(40);
            try {
                SigtermDrain.check(server, 60, grace, () -> server.terminate(grace), figures);
            } finally {
                Reports.write("sigterm", figures);
            }
            assertThat(server.log()).contains("Graceful shutdown complete");
        }
    }
}
