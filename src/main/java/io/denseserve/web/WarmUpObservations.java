package io.denseserve.web;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;

/**
 * Leaves the {@link ConnectionWarmUp}'s own requests out of Spring's HTTP server observations
 * ({@code http_server_requests_seconds}), as {@link ProblemResponses} leaves them out of the
 * service's request counts: a dashboard should not show 408s at every start.
 */
@Component
class WarmUpObservations implements ObservationPredicate {

    private final ConnectionWarmUp warmUp;

    WarmUpObservations(ConnectionWarmUp warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    public boolean test(String name, Observation.Context context) {
        return !(context instanceof ServerRequestObservationContext request && warmUp.isOwn(request.getCarrier()));
    }
}
