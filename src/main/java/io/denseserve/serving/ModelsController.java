package io.denseserve.serving;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What is loaded. */
@RestController
@Tag(name = "models", description = "The loaded models")
class ModelsController {

    private final ModelService models;

    ModelsController(ModelService models) {
        this.models = models;
    }

    @GetMapping("/models")
    @Operation(summary = "List loaded models", operationId = "listModels",
            description = "Every model and version served, by name and then version (oldest first).")
    List<ModelInfo> listModels() {
        return models.all().stream().map(ModelInfo::of).toList();
    }

    @GetMapping("/models/{name}")
    @Operation(summary = "Describe one loaded model", operationId = "getModel",
            description = "Its latest version served, or the version asked for.")
    ModelInfo getModel(@PathVariable String name, @RequestParam(required = false) String version) {
        return ModelInfo.of(models.find(name, version));
    }
}
