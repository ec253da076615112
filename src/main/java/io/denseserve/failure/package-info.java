/**
 * The ways a request can fail that its client is told about, one exception each, in one place:
 * {@code web.ProblemTypes} maps each to its HTTP status and RFC 9457 problem type, the Open
 * Inference Protocol to its own error body. Every layer that can fail a request throws these;
 * this package uses nothing.
 */
package io.denseserve.failure;
