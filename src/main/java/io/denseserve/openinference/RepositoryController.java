package io.denseserve.openinference;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.failure.InvalidParameterException;
import io.denseserve.failure.ModelNotFoundException;
import io.denseserve.serving.ModelService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol's model repository extension: the repository's index, and loading
 * or unloading one model ({@link ModelService#loadModel}, {@link ModelService#unloadModel}). Off
 * (404) unless {@code denseserve.management.token} is set; then every call needs it as a bearer
 * token: 401 without one, 403 with another. With {@code denseserve.management.port} set, it
 * answers on that port only (404 on the service's). Names are checked against the repository's folders
 * ({@link io.denseserve.serving.ModelRepository}): nothing outside it is ever read, and nothing
 * is ever fetched.
 */
@RestController
@Tag(name = "open-inference", description = "The Open Inference Protocol (KServe v2), REST")
class RepositoryController {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryController.class);

    private final ModelService models;
    private final ManagementToken token;
    private final int port;

    RepositoryController(ModelService models, DenseServeProperties properties) {
        this.models = models;
        this.token = new ManagementToken(properties.getManagement().getToken());
        this.port = properties.getManagement().getPort();
    }

    record Loaded(String name, List<String> versions) {}

    /** Whether the extension is on: a repository to manage, and a token to manage it with. */
    static boolean on(DenseServeProperties properties) {
        return properties.getModel().getRepository() != null
                && new ManagementToken(properties.getManagement().getToken()).configured();
    }

    @PostMapping(path = "/v2/repository/index", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Every model version in the repository and whether it is served", operationId = "repositoryIndex")
    ResponseEntity<?> index(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return managed(authorization, request, () -> ResponseEntity.ok(models.index()));
    }

    @PostMapping(path = "/v2/repository/models/{name}/load", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Load a model from the repository, or load it again for its new versions", operationId = "repositoryLoad",
            description = "New versions are warmed before they take traffic; versions no longer selected drain and are freed "
                    + "before the answer. A version that fails to load leaves what was served serving (400 with the reason).")
    ResponseEntity<?> load(@PathVariable String name,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return managed(authorization, request, () -> {
            try {
                return ResponseEntity.ok(new Loaded(name, models.loadModel(name)));
            } catch (ModelNotFoundException | InvalidParameterException e) {
                throw e;
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.warn("loading model '{}' failed; what was served still serves: {}", name, e.getMessage());
                return error(HttpStatus.BAD_REQUEST, "model '" + name + "' could not be loaded; what was served still "
                        + "serves: " + e.getMessage());
            }
        });
    }

    @PostMapping(path = "/v2/repository/models/{name}/unload", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Stop serving a model; its requests in flight are answered first", operationId = "repositoryUnload")
    ResponseEntity<?> unload(@PathVariable String name,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return managed(authorization, request, () -> {
            models.unloadModel(name);
            return ResponseEntity.ok(new Loaded(name, List.of()));
        });
    }

    /** One management call's answer, computed once the caller may manage models. */
    @FunctionalInterface
    private interface Call {
        ResponseEntity<?> answer() throws IOException;
    }

    private ResponseEntity<?> managed(String authorization, HttpServletRequest request, Call call) throws IOException {
        ResponseEntity<?> refused = refused(authorization, request);
        return refused != null ? refused : call.answer();
    }

    /** The answer to a caller that may not manage models, or null for one that may. */
    private ResponseEntity<?> refused(String authorization, HttpServletRequest request) {
        if (!token.configured()) {
            return error(HttpStatus.NOT_FOUND, "the repository extension is off: it needs denseserve.management.token");
        }
        if (port > 0 && request.getLocalPort() != port) {
            return error(HttpStatus.NOT_FOUND, "the repository extension answers on the management port only");
        }
        if (!ManagementToken.presented(authorization)) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .contentType(MediaType.APPLICATION_JSON).body(Map.of("error", "model management needs a bearer token"));
        }
        if (!token.matches(authorization)) {
            return error(HttpStatus.FORBIDDEN, "that token may not manage models");
        }
        return null;
    }

    private static ResponseEntity<Map<String, String>> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", message));
    }
}
