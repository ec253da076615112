package io.denseserve.plan;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;

/**
 * Unpacks libtorch from the classpath into {@code ENGINE_CACHE_DIR} and exits. The container image
 * runs it at build time, so that a container starts without writing 430 MB and can run with a
 * read-only root filesystem.
 */
public final class NativeLibraries {

    private NativeLibraries() {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("libtorch " + engine.getVersion() + " ready under " + Utils.getEngineCacheDir());
    }
}
