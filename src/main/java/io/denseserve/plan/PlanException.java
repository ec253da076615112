package io.denseserve.plan;

/** An engine failed to build or run a plan; the cause says why in the engine's words. */
public final class PlanException extends RuntimeException {

    public PlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
