package io.denseserve.serving;

import io.denseserve.failure.ModelNotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** What is loaded. */
@RestController
@Tag(name = "models", description = "The loaded model")
class ModelsController {

    private final ModelService models;

    ModelsController(ModelService models) {
        this.models = models;
    }

    @GetMapping("/models")
    @Operation(summary = "List loaded models", operationId = "listModels")
    List<ModelInfo> listModels() {
        return List.of(ModelInfo.of(models.current()));
    }

    @GetMapping("/models/{name}")
    @Operation(summary = "Describe one loaded model", operationId = "getModel")
    ModelInfo getModel(@PathVariable String name) {
        ServedModel model = models.current();
        if (!model.name().equals(name)) {
            throw new ModelNotFoundException(name);
        }
        return ModelInfo.of(model);
    }
}
