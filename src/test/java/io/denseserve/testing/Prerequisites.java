package io.denseserve.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need something a Debian package provides (torchvision, skimage's photos,
 * Fashion-MNIST, prometheus, docker-compose) skip where it is missing, and say so loudly: a quiet
 * skip reads like a pass. CI sets {@code DENSESERVE_REQUIRE_REFERENCE_DATA=true} after installing
 * the packages, which turns every such skip into a failure, so CI cannot pass without running them.
 */
public final class Prerequisites {

    private Prerequisites() {}

    /** Skips (or, under CI, fails) the calling test unless {@code present}. */
    public static void require(boolean present, String message) {
        if (present) {
            return;
        }
        String skipped = "SKIPPED: " + message;
        System.err.println("*** " + skipped + " ***");
        if (Boolean.parseBoolean(System.getenv("DENSESERVE_REQUIRE_REFERENCE_DATA"))) {
            throw new IllegalStateException(skipped + " (DENSESERVE_REQUIRE_REFERENCE_DATA=true forbids skipping)");
        }
        assumeTrue(false, skipped);
    }
}
