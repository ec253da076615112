package io.denseserve.serving;

/** Where the served model is in its life; readiness is UP only in {@link #READY}. */
public enum ModelState { LOADING, WARMING_UP, READY, FAILED, STOPPING }
