package io.denseserve.serving;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a model repository's folders ({@code denseserve.model.repository-poll}): every so often a
 * model whose version folders differ from the versions served is loaded again, and a model whose
 * folder is gone is unloaded. A load that failed is tried again only once its folders change, so a
 * version still being copied in fails, and is loaded once the copy is complete, while a corrupt one
 * is not loaded over and over.
 */
final class RepositoryPoll implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryPoll.class);

    private final ModelService models;
    private final ModelRepository repository;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "repository-poll");
        t.setDaemon(true);
        return t;
    });
    /** A model's folders as they were when its load failed ({@link ModelRepository#contents}). */
    private final Map<String, String> failed = new HashMap<>();

    RepositoryPoll(ModelService models, ModelRepository repository, Duration every) {
        this.models = models;
        this.repository = repository;
        thread.scheduleWithFixedDelay(this::look, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void look() {
        try {
            List<String> names = repository.names();
            for (String name : names) {
                List<String> versions = repository.versions(name);
                if (versions.isEmpty()) {
                    continue;
                }
                List<String> wanted = models.wanted(versions);
                if (!models.servedVersions(name).equals(wanted)) {
                    load(name, wanted);
                }
            }
            for (String name : models.servedNames()) {
                if (!names.contains(name)) {
                    LOG.info("model '{}' is gone from the repository; unloading", name);
                    models.unloadModel(name);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("looking at the model repository failed: {}", e.getMessage());
        }
    }

    private void load(String name, List<String> wanted) throws IOException {
        String contents = repository.contents(name, wanted);
        if (contents.equals(failed.get(name))) {
            return;
        }
        try {
            LOG.info("the repository has other versions of model '{}' to serve: {}; loading", name, wanted);
            models.loadModel(name);
            failed.remove(name);
        } catch (IOException | RuntimeException | LinkageError e) {
            failed.put(name, contents);
            LOG.warn("loading model '{}' found in the repository failed; what was served still serves: {}", name,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
