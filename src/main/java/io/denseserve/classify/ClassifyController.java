package io.denseserve.classify;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.failure.ImageRejectedException.Reason;
import io.denseserve.failure.ImageRejectedException;
import io.denseserve.serving.ModelAddress;
import io.denseserve.web.Classification;
import io.denseserve.web.ProblemTypes;
import io.denseserve.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.SchemaProperty;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /classify} (one image, multipart or raw body), {@code POST /classify/batch}, and
 * {@code POST /explain} (the class activation map drawn over the image, as a PNG).
 * Thin: reads bytes within the size limit and hands them to {@link ClassificationService}.
 */
@RestController
@Tag(name = "classify", description = "Image classification")
@ApiResponse(responseCode = "400", description = "empty, not an image, corrupt, or a bad topK or explainClass",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "408", description = "the request body arrived too slowly (the connection is closed)",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "413", description = "too many bytes or too many pixels",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "415", description = "not an accepted image media type",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "503", description = "overloaded (with Retry-After: queue, decoding or upload memory full) or model not ready",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "504", description = "no result within the request timeout",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
class ClassifyController {

    static final String EXPLAINED_CLASS = "DenseServe-Explained-Class";
    static final String EXPLAINED_PROBABILITY = "DenseServe-Explained-Probability";

    private final ClassificationService service;
    private final ProblemTypes problems;
    private final long maxBytes;
    private final int maxBatchImages;

    ClassifyController(ClassificationService service, ProblemTypes problems, DenseServeProperties properties) {
        this.service = service;
        this.problems = problems;
        this.maxBytes = properties.getLimits().getMaxImageSize().toBytes();
        this.maxBatchImages = properties.getLimits().getMaxBatchImages();
    }

    @Classification
    @PostMapping(path = "/classify", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Classify one image", operationId = "classify",
            description = "The image goes either in multipart/form-data part 'image' or as the raw request body "
                    + "with its image media type. JPEG, PNG, GIF (first frame), BMP, WebP and TIFF are decoded; "
                    + "EXIF orientation is applied.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE, schema = @Schema(type = "object", requiredProperties = "image"),
                        schemaProperties = @SchemaProperty(name = "image", schema = @Schema(type = "string", format = "binary"))),
                @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/gif", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/bmp", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/webp", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/tiff", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))}))
    @ApiResponse(responseCode = "200", description = "the top-k classes",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ClassificationResponse.class)))
    ClassificationResponse classifyMultipart(
            @RequestPart("image") MultipartFile image,
            @Parameter(description = "how many classes to return; more than the model has is clamped")
            @RequestParam(defaultValue = "5") @Min(1) @Max(1000) int topK,
            @Parameter(description = "add the class activation map of the top class (or of explainClass) and its overlay")
            @RequestParam(defaultValue = "false") boolean explain,
            @Parameter(description = "the class to explain instead of the top one (an index into the model's classes); implies explain")
            @RequestParam(required = false) @Min(0) Integer explainClass,
            @Parameter(description = "the model to use (a name from GET /models); without it the default model")
            @RequestParam(required = false) String model,
            @Parameter(description = "the model's version; without it the latest served")
            @RequestParam(required = false) String version) throws IOException {
        long start = System.nanoTime();
        return service.classify(new ModelAddress(model, version), bytes(image), topK, explainRequest(explain, explainClass),
                start);
    }

    @Classification
    @PostMapping(path = "/classify", consumes = {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp",
        "image/tiff", "application/octet-stream"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(hidden = true) // documented together with the multipart form under operation "classify"
    ClassificationResponse classifyRaw(
            HttpServletRequest request,
            @Parameter(description = "how many classes to return; more than the model has is clamped")
            @RequestParam(defaultValue = "5") @Min(1) @Max(1000) int topK,
            @RequestParam(defaultValue = "false") boolean explain,
            @RequestParam(required = false) @Min(0) Integer explainClass,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String version) throws IOException {
        long start = System.nanoTime();
        return service.classify(new ModelAddress(model, version), body(request), topK, explainRequest(explain, explainClass),
                start);
    }

    @Classification
    @PostMapping(path = "/explain", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "The class activation map of one image, drawn over it, as a PNG", operationId = "explain",
            description = "Classifies the image as POST /classify does and answers with the image (scaled to fit "
                    + ClassificationService.OVERLAY_MAX_SIDE + " pixels) with the map of the top class, or of "
                    + "explainClass, drawn over the part the model saw; the rest is darkened. The same image goes "
                    + "in multipart part 'image' or as the raw body. Headers name the class explained.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE, schema = @Schema(type = "object", requiredProperties = "image"),
                        schemaProperties = @SchemaProperty(name = "image", schema = @Schema(type = "string", format = "binary"))),
                @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))}))
    @ApiResponse(responseCode = "200", description = "the overlay",
            headers = {
                @Header(name = EXPLAINED_CLASS, description = "index of the class explained", schema = @Schema(type = "integer")),
                @Header(name = EXPLAINED_PROBABILITY, description = "its probability", schema = @Schema(type = "number"))},
            content = @Content(mediaType = MediaType.IMAGE_PNG_VALUE, schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<byte[]> explainMultipart(
            @RequestPart("image") MultipartFile image,
            @Parameter(description = "the class to explain instead of the top one (an index into the model's classes)")
            @RequestParam(required = false) @Min(0) Integer explainClass,
            @Parameter(description = "the model to use (a name from GET /models); without it the default model")
            @RequestParam(required = false) String model,
            @Parameter(description = "the model's version; without it the latest served")
            @RequestParam(required = false) String version) throws IOException {
        long start = System.nanoTime();
        return overlay(service.classify(new ModelAddress(model, version), bytes(image), 1, explainRequest(true, explainClass),
                start));
    }

    @Classification
    @PostMapping(path = "/explain", consumes = {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp",
        "image/tiff", "application/octet-stream"})
    @Operation(hidden = true) // documented together with the multipart form under operation "explain"
    ResponseEntity<byte[]> explainRaw(
            HttpServletRequest request,
            @RequestParam(required = false) @Min(0) Integer explainClass,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String version) throws IOException {
        long start = System.nanoTime();
        return overlay(service.classify(new ModelAddress(model, version), body(request), 1,
                explainRequest(true, explainClass), start));
    }

    private static ClassificationService.ExplainRequest explainRequest(boolean explain, Integer explainClass) {
        return explain || explainClass != null ? new ClassificationService.ExplainRequest(true, explainClass)
                : ClassificationService.ExplainRequest.NONE;
    }

    private static ResponseEntity<byte[]> overlay(ClassificationResponse response) {
        Explanation explanation = response.explanation();
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG)
                .header(EXPLAINED_CLASS, String.valueOf(explanation.explained().index()))
                .header(EXPLAINED_PROBABILITY, String.valueOf(explanation.explained().probability()))
                .body(explanation.overlayPng());
    }

    /** A raw upload's bytes, within the size limit. */
    private byte[] body(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxBytes) {
            throw tooManyBytes(request.getContentLengthLong());
        }
        byte[] buffered = RequestBodies.of(request);
        return buffered != null ? buffered : readBounded(request.getInputStream());
    }

    @Classification
    @PostMapping(path = "/classify/batch", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Classify several images (parts named 'images'); one result or error per image",
            operationId = "classifyBatch")
    @ApiResponse(responseCode = "200", description = "one result or one problem per image",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BatchClassificationResponse.class)))
    BatchClassificationResponse classifyBatch(
            @RequestPart("images") List<MultipartFile> images,
            @RequestParam(defaultValue = "5") @Min(1) @Max(1000) int topK,
            @Parameter(description = "the model to use (a name from GET /models); without it the default model")
            @RequestParam(required = false) String model,
            @Parameter(description = "the model's version; without it the latest served")
            @RequestParam(required = false) String version) {
        long start = System.nanoTime();
        ModelAddress address = new ModelAddress(model, version);
        if (images.size() > maxBatchImages) {
            throw new ImageRejectedException(Reason.TOO_MANY_BYTES,
                    images.size() + " images in one request; the limit is " + maxBatchImages);
        }
        // Queue every image first, so that they can share forward passes, then collect the answers.
        List<Submitted> submitted = new ArrayList<>();
        for (MultipartFile image : images) {
            try {
                submitted.add(new Submitted(service.submit(address, bytes(image), start), null));
            } catch (RuntimeException | IOException e) {
                submitted.add(new Submitted(null, e));
            }
        }
        List<BatchClassificationResponse.Item> results = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            String name = images.get(i).getOriginalFilename();
            Submitted s = submitted.get(i);
            try {
                if (s.error() != null) {
                    throw s.error();
                }
                results.add(new BatchClassificationResponse.Item(i, name, service.await(s.pending(), topK), null));
            } catch (Exception e) {
                results.add(new BatchClassificationResponse.Item(i, name, null, problems.of(e)));
            }
        }
        return new BatchClassificationResponse(ClassificationResponse.SCHEMA_VERSION, results);
    }

    /** One image of a batch request: queued, or rejected before it could be. */
    private record Submitted(ClassificationService.Pending pending, Exception error) {}

    private byte[] bytes(MultipartFile image) throws IOException {
        if (image.getSize() > maxBytes) {
            throw tooManyBytes(image.getSize());
        }
        return image.getBytes();
    }

    /** Reads at most {@code maxBytes}: a chunked upload without Content-Length cannot exhaust memory. */
    private byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw tooManyBytes(bytes.length);
        }
        return bytes;
    }

    private ImageRejectedException tooManyBytes(long size) {
        return new ImageRejectedException(Reason.TOO_MANY_BYTES,
                "the image has " + (size > maxBytes + 1 ? String.valueOf(size) : "more than " + maxBytes)
                        + " bytes; the limit is " + maxBytes);
    }
}
