package io.denseserve.serving;

/**
 * Which model a request asks for: a name (or {@code denseserve.model.alias}) and a version, each
 * null for the default: the default model, its latest version.
 */
public record ModelAddress(String name, String version) {}
