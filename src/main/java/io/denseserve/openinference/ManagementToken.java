package io.denseserve.openinference;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token ({@code denseserve.management.token}) that model management asks for. Compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, the JDK's constant-time comparison, so
 * that neither the time taken nor the lengths compared tell a caller how much of a guess was right.
 * (Spring Security has no static-token authentication; it would add a filter chain to every
 * endpoint for this one check.)
 */
final class ManagementToken {

    private static final String BEARER = "Bearer ";

    private final byte[] digest;

    /** @param token the configured token; null or blank turns management off */
    ManagementToken(String token) {
        this.digest = token == null || token.isBlank() ? null : sha256(token);
    }

    boolean configured() {
        return digest != null;
    }

    /** Whether an {@code Authorization} header carries a bearer credential at all. */
    static boolean presented(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    /** Whether a bearer credential is the configured token. */
    boolean matches(String authorization) {
        return configured() && presented(authorization)
                && MessageDigest.isEqual(digest, sha256(authorization.substring(BEARER.length()).trim()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
