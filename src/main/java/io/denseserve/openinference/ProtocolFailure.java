package io.denseserve.openinference;

import io.denseserve.inference.InferenceMetrics.Outcome;
import io.denseserve.web.ProblemTypes;
import org.springframework.http.HttpStatus;

/**
 * A failure as the Open Inference Protocol reports it, whichever transport: the status
 * {@code /classify} would give it (the one table, {@link ProblemTypes}), the message, and how it
 * counts. The protocol's own refusals ({@link InferenceProtocolException}) and a tensor that does
 * not fit the model are bad requests.
 */
record ProtocolFailure(HttpStatus status, String message, Outcome outcome) {

    static ProtocolFailure of(Exception e, ProblemTypes problems) {
        if (e instanceof InferenceProtocolException refused) {
            return new ProtocolFailure(refused.status(), refused.getMessage(), Outcome.BAD_INPUT);
        }
        if (e instanceof IllegalArgumentException) {
            return new ProtocolFailure(HttpStatus.BAD_REQUEST, e.getMessage(), Outcome.BAD_INPUT);
        }
        ProblemTypes.Mapped mapped = problems.map(e);
        String detail = mapped.problem().getDetail();
        return new ProtocolFailure(HttpStatus.valueOf(mapped.problem().getStatus()),
                detail == null ? mapped.problem().getTitle() : detail, mapped.outcome());
    }
}
