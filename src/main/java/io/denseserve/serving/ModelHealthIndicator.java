package io.denseserve.serving;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code model} in the readiness group: UP only when the model is loaded and every batch size is
 * warm, so a load balancer never routes to a replica that would answer 503 or stall on a cold
 * first batch.
 */
@Component("model")
class ModelHealthIndicator implements HealthIndicator {

    private final ModelService models;

    ModelHealthIndicator(ModelService models) {
        this.models = models;
    }

    @Override
    public Health health() {
        ModelState state = models.state();
        Health.Builder health = state == ModelState.READY ? Health.up() : Health.outOfService();
        health.withDetail("state", state);
        if (state == ModelState.READY) {
            health.withDetail("models", models.all().stream().map(m -> m.name() + ":" + m.version()).toList());
        }
        if (models.failure() != null) {
            // The cause is in the service log; health is public and must not reveal file paths.
            health.down().withDetail("error", "the model failed to load; see the service log");
        }
        return health.build();
    }
}
