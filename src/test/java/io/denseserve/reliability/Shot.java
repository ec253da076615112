package io.denseserve.reliability;

import java.util.Set;

/**
 * One kind of request the load driver sends, and the HTTP statuses that are correct answers to it
 * (200 for a good image; the documented 4xx for a bad one; also 503 where overload is the point).
 */
record Shot(String name, String query, String contentType, byte[] body, Set<Integer> expected) {

    Shot withAlsoExpected(int status) {
        var statuses = new java.util.HashSet<>(expected);
        statuses.add(status);
        return new Shot(name, query, contentType, body, Set.copyOf(statuses));
    }
}
