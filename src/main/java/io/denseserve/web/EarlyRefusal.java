package io.denseserve.web;

import io.denseserve.admission.Admission;
import io.denseserve.inference.OverloadedException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a classification with 503 {@code overloaded} before Spring MVC sees it, while every
 * admission permit is taken ({@link Admission#saturated()}). The permit itself is still taken by
 * the classification, so this is only a fast path, never the limit.
 *
 * <p>Why a servlet filter: at several times the saturation rate most requests are refused, and
 * what a refusal costs is CPU taken from the accepted requests. Refused here, a request skips
 * handler mapping, multipart parsing, argument binding and exception resolution, which matters
 * most when overload first hits and that path is not yet compiled (OverloadIT measures the
 * refusals). The answer is the same problem JSON as every other refusal ({@link ProblemTypes}),
 * with {@code Retry-After}, and is counted as {@code overloaded}; the body is not read, and the
 * connection is closed. Filters run after the HTTP observation, so it is in the server's request
 * metrics too.
 */
@Component
@Order(UploadBuffering.ORDER - 10) // before the body is read
class EarlyRefusal extends OncePerRequestFilter {

    static final String DETAIL = "too many classifications in flight; retry shortly";

    private final Admission admission;
    private final ProblemTypes problems;
    private final ProblemResponses responses;

    EarlyRefusal(Admission admission, ProblemTypes problems, ProblemResponses responses) {
        this.admission = admission;
        this.problems = problems;
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !ClassificationRequests.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!admission.saturated()) {
            chain.doFilter(request, response);
            return;
        }
        responses.writeUnread(request, response, problems.map(new OverloadedException(DETAIL)));
    }
}
