package io.denseserve.openinference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import io.denseserve.inference.InferenceMetrics;
import io.denseserve.inference.InferenceMetrics.Outcome;
import io.denseserve.openinference.proto.GRPCInferenceServiceGrpc;
import io.denseserve.openinference.proto.InferParameter;
import io.denseserve.openinference.proto.InferTensorContents;
import io.denseserve.openinference.proto.ModelInferRequest;
import io.denseserve.openinference.proto.ModelInferResponse;
import io.denseserve.openinference.proto.ModelMetadataRequest;
import io.denseserve.openinference.proto.ModelMetadataResponse;
import io.denseserve.openinference.proto.ModelReadyRequest;
import io.denseserve.openinference.proto.ModelReadyResponse;
import io.denseserve.openinference.proto.ServerLiveRequest;
import io.denseserve.openinference.proto.ServerLiveResponse;
import io.denseserve.openinference.proto.ServerMetadataRequest;
import io.denseserve.openinference.proto.ServerMetadataResponse;
import io.denseserve.openinference.proto.ServerReadyRequest;
import io.denseserve.openinference.proto.ServerReadyResponse;
import io.denseserve.serving.RequestMetrics;
import io.denseserve.web.ProblemTypes;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code inference.GRPCInferenceService}: the Open Inference Protocol over gRPC, answered by
 * {@link InferenceProtocol} as the REST form is. A tensor arrives in {@code raw_input_contents} (the
 * REST binary layout: BYTES elements length-prefixed, FP32 little-endian) or in {@code contents};
 * outputs go back in {@code raw_output_contents}. The client's deadline, where it comes before the
 * request timeout, is the request's. Failures map to gRPC codes by their REST status:
 * INVALID_ARGUMENT (400, and 413: an image that can never fit), NOT_FOUND, RESOURCE_EXHAUSTED with
 * a {@code retry-after} trailer (overloaded), UNAVAILABLE (not ready, shutting down),
 * DEADLINE_EXCEEDED, INTERNAL.
 */
@Component
class GrpcInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcInferenceService.class);
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private final InferenceProtocol protocol;
    private final ProblemTypes problems;
    private final RequestMetrics metrics;

    GrpcInferenceService(InferenceProtocol protocol, ProblemTypes problems, RequestMetrics metrics) {
        this.protocol = protocol;
        this.problems = problems;
        this.metrics = metrics;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
        answer(response, () -> ServerLiveResponse.newBuilder().setLive(true).build(), false);
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
        answer(response, () -> ServerReadyResponse.newBuilder().setReady(protocol.ready()).build(), false);
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
        answer(response, () -> {
            protocol.served(request.getName(), version(request.getVersion()));
            return ModelReadyResponse.newBuilder().setReady(protocol.ready()).build();
        }, false);
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
        answer(response, () -> {
            InferenceProtocol.ServerMetadata server = protocol.server();
            return ServerMetadataResponse.newBuilder().setName(server.name()).setVersion(server.version())
                    .addAllExtensions(server.extensions()).build();
        }, false);
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
        answer(response, () -> {
            InferenceProtocol.ModelMetadata model = protocol.metadata(request.getName(), version(request.getVersion()));
            ModelMetadataResponse.Builder out = ModelMetadataResponse.newBuilder().setName(model.name())
                    .addAllVersions(model.versions()).setPlatform(model.platform());
            model.inputs().forEach(t -> out.addInputs(tensor(t)));
            model.outputs().forEach(t -> out.addOutputs(tensor(t)));
            return out.build();
        }, false);
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
        long start = System.nanoTime();
        answer(response, () -> {
            List<InferenceRequest.Input> inputs = new ArrayList<>();
            List<byte[]> binary = new ArrayList<>();
            for (int i = 0; i < request.getInputsCount(); i++) {
                ModelInferRequest.InferInputTensor input = request.getInputs(i);
                inputs.add(new InferenceRequest.Input(input.getName(), input.getShapeList(), input.getDatatype(), null, null));
                binary.add(contents(input, i < request.getRawInputContentsCount() ? request.getRawInputContents(i) : null));
            }
            List<InferenceRequest.RequestedOutput> outputs = new ArrayList<>();
            for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
                Map<String, JsonNode> parameters = new HashMap<>();
                output.getParametersMap().forEach((key, value) -> parameters.put(key, json(value)));
                parameters.put(OutputTensors.BINARY_DATA, BooleanNode.TRUE);
                outputs.add(new InferenceRequest.RequestedOutput(output.getName(), parameters));
            }
            if (outputs.isEmpty()) {
                outputs.add(new InferenceRequest.RequestedOutput(OutputTensors.PROBABILITIES,
                        Map.of(OutputTensors.BINARY_DATA, BooleanNode.TRUE)));
            }
            Deadline deadline = Context.current().getDeadline();
            InferenceProtocol.Inferred inferred = protocol.infer(request.getModelName(), version(request.getModelVersion()),
                    inputs, binary, outputs, start,
                    deadline == null ? null : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS),
                    InferenceMetrics.Protocol.GRPC);
            ModelInferResponse.Builder out = ModelInferResponse.newBuilder().setModelName(request.getModelName())
                    .setModelVersion(inferred.manifest().version()).setId(request.getId());
            ByteBuffer bytes = ByteBuffer.wrap(inferred.outputs().binary());
            for (InferenceResponse.Output output : inferred.outputs().outputs()) {
                out.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(output.name())
                        .setDatatype(output.datatype()).addAllShape(output.shape()));
                byte[] raw = new byte[((Number) output.parameters().get(InferBody.BINARY_SIZE)).intValue()];
                bytes.get(raw);
                out.addRawOutputContents(ByteString.copyFrom(raw));
            }
            return out.build();
        }, true);
    }

    /** An input's bytes in the binary layout {@link InputTensors} reads, from either of gRPC's forms. */
    private static byte[] contents(ModelInferRequest.InferInputTensor input, ByteString raw) {
        if (raw != null) {
            return raw.toByteArray();
        }
        InferTensorContents contents = input.getContents();
        if (contents.getBytesContentsCount() > 0) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteString element : contents.getBytesContentsList()) {
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(element.size()).array());
                out.writeBytes(element.toByteArray());
            }
            return out.toByteArray();
        }
        if (contents.getFp32ContentsCount() > 0) {
            ByteBuffer out = ByteBuffer.allocate(contents.getFp32ContentsCount() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            contents.getFp32ContentsList().forEach(out::putFloat);
            return out.array();
        }
        throw InferenceProtocolException.badRequest("input '" + input.getName()
                + "' has neither raw_input_contents nor bytes_contents or fp32_contents");
    }

    private static JsonNode json(InferParameter value) {
        return switch (value.getParameterChoiceCase()) {
            case BOOL_PARAM -> BooleanNode.valueOf(value.getBoolParam());
            case INT64_PARAM -> LongNode.valueOf(value.getInt64Param());
            case UINT64_PARAM -> LongNode.valueOf(value.getUint64Param());
            case STRING_PARAM -> TextNode.valueOf(value.getStringParam());
            case DOUBLE_PARAM -> DoubleNode.valueOf(value.getDoubleParam());
            case PARAMETERCHOICE_NOT_SET -> NullNode.getInstance();
        };
    }

    private static ModelMetadataResponse.TensorMetadata tensor(InferenceProtocol.TensorMetadata t) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(t.name()).setDatatype(t.datatype())
                .addAllShape(t.shape()).build();
    }

    private static String version(String version) {
        return version.isEmpty() ? null : version;
    }

    /** Runs a call and sends its answer, or its failure as a gRPC status; inferences count their failures. */
    private <T> void answer(StreamObserver<T> response, Supplier<T> call, boolean inference) {
        T answer;
        try {
            answer = call.get();
        } catch (RuntimeException e) {
            response.onError(failure(e, inference));
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }

    private RuntimeException failure(RuntimeException e, boolean inference) {
        ProtocolFailure failure = ProtocolFailure.of(e, problems);
        Outcome outcome = failure.outcome();
        if (inference) {
            metrics.count(outcome, InferenceMetrics.Protocol.GRPC);
        }
        Metadata trailers = new Metadata();
        Status code = switch (failure.status()) {
            case BAD_REQUEST, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case GATEWAY_TIMEOUT -> Status.DEADLINE_EXCEEDED;
            case SERVICE_UNAVAILABLE -> {
                trailers.put(RETRY_AFTER, ProblemTypes.RETRY_AFTER_SECONDS);
                yield outcome == Outcome.OVERLOADED ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE;
            }
            default -> {
                LOG.error("unexpected error in a gRPC call", e);
                yield Status.INTERNAL;
            }
        };
        return code.withDescription(failure.message()).asRuntimeException(trailers);
    }
}
