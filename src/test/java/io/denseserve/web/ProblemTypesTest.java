package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.failure.InferenceFailedException;
import io.denseserve.inference.InferenceMetrics.Outcome;
import org.junit.jupiter.api.Test;

/**
 * The problems for failures the end-to-end tests cannot provoke on demand: a forward pass that
 * throws inside a worker (BatchingPredictorTest shows it fails only its own batch) reaches the
 * client as a 500 {@code inference-failed} problem.
 */
class ProblemTypesTest {

    private final ProblemTypes problems = new ProblemTypes();

    @Test
    void aWorkerFailureIsA500InferenceFailedProblemWithoutInternals() {
        ProblemTypes.Mapped mapped = problems.map(new InferenceFailedException("inference failed for this batch",
                new IllegalStateException("libtorch: /opt/secret/path.cpp:42")));
        assertThat(mapped.problem().getStatus()).isEqualTo(500);
        assertThat(mapped.problem().getType().toString()).endsWith("/inference-failed");
        assertThat(mapped.problem().getDetail()).isEqualTo("inference failed for this batch").doesNotContain("/opt");
        assertThat(mapped.outcome()).isEqualTo(Outcome.ERROR);
    }
}
