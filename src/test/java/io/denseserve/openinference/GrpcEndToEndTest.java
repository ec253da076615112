package io.denseserve.openinference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.denseserve.openinference.proto.GRPCInferenceServiceGrpc;
import io.denseserve.openinference.proto.InferParameter;
import io.denseserve.openinference.proto.InferTensorContents;
import io.denseserve.openinference.proto.ModelInferRequest;
import io.denseserve.openinference.proto.ModelInferResponse;
import io.denseserve.openinference.proto.ModelMetadataRequest;
import io.denseserve.openinference.proto.ModelMetadataResponse;
import io.denseserve.openinference.proto.ModelReadyRequest;
import io.denseserve.openinference.proto.ServerLiveRequest;
import io.denseserve.openinference.proto.ServerMetadataRequest;
import io.denseserve.openinference.proto.ServerReadyRequest;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Open Inference Protocol over gRPC with grpc-java's own client: every RPC, encoded images as
 * raw BYTES with {@code classification} giving exactly {@code /classify}'s top 5, an FP32 tensor,
 * health and reflection, and error codes from real conditions (overload: {@link GrpcOverloadTest};
 * a model that is not ready: {@link GrpcNotReadyTest}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int GRPC_PORT = Http.freePort();

    @DynamicPropertySource
    static void grpcPort(DynamicPropertyRegistry registry) {
        registry.add("denseserve.grpc.port", () -> GRPC_PORT);
        registry.add("spring.servlet.multipart.max-request-size", () -> "1MB");
    }

    @LocalServerPort
    int port;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry registry;

    ManagedChannel channel;
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    Http http;
    String model;

    @BeforeEach
    void connect() throws IOException {
        http = new Http(port);
        http.awaitReady();
        model = JSON.readTree(http.get("/models").body()).get(0).path("name").asText();
        channel = NettyChannelBuilder.forAddress("localhost", GRPC_PORT).usePlaintext().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    @Test
    void healthMetadataAndReadinessAnswer() {
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList())
                .contains("binary_tensor_data", "classification");
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(model).build()).getReady()).isTrue();
        ModelMetadataResponse metadata = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
        assertThat(metadata.getInputsList()).extracting(ModelMetadataResponse.TensorMetadata::getDatatype)
                .containsExactly("BYTES", "FP32");
        assertThat(metadata.getInputs(1).getShapeList()).containsExactly(-1L, 1L, 28L, 28L);
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(reflectedServices()).contains("inference.GRPCInferenceService", "grpc.health.v1.Health");
    }

    @Test
    void rawImagesWithClassificationGiveClassifysTopFive() throws Exception {
        List<byte[]> images = List.of(Images.png(28, 28), Images.png(40, 31), Images.png(64, 48));
        ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder().setModelName(model).setId("req-1")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(3))
                .addRawInputContents(ByteString.copyFrom(elements(images)))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities")
                        .putParameters("classification", InferParameter.newBuilder().setInt64Param(5).build()))
                .build());
        assertThat(response.getId()).isEqualTo("req-1");
        assertThat(registry.find("denseserve.requests").tag("outcome", "ok").tag("protocol", "grpc").counter().count())
                .as("counted as gRPC").isGreaterThanOrEqualTo(1);
        assertThat(response.getOutputs(0).getDatatype()).isEqualTo("BYTES");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(3L, 5L);
        List<String> strings = strings(response.getRawOutputContents(0).toByteArray());
        for (int i = 0; i < images.size(); i++) {
            JsonNode top = JSON.readTree(http.postRaw("/classify?topK=5", "image/png", images.get(i)).body()).path("topK");
            for (int k = 0; k < 5; k++) {
                String[] parts = strings.get(i * 5 + k).split(":", 3);
                assertThat(Integer.parseInt(parts[1])).isEqualTo(top.get(k).path("index").asInt());
                assertThat(parts[2]).isEqualTo(top.get(k).path("label").asText());
                assertThat(Double.parseDouble(parts[0])).isCloseTo(top.get(k).path("probability").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void anFp32TensorGivesProbabilities() {
        ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(1).addShape(1).addShape(28).addShape(28);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (int i = 0; i < 28 * 28; i++) {
            contents.addFp32Contents((i % 28) / 28f);
        }
        ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(input.setContents(contents)).build());
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L, 10L);
        float[] probabilities = new float[10];
        ByteBuffer.wrap(response.getRawOutputContents(0).toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(probabilities);
        double sum = 0;
        for (float p : probabilities) {
            sum += p;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void failuresCarryTheirCodes() {
        ModelInferRequest notAnImage = ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
                .addRawInputContents(ByteString.copyFrom(elements(List.of("not an image".getBytes(StandardCharsets.UTF_8)))))
                .build();
        assertThat(code(() -> stub.modelInfer(notAnImage))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> stub.modelInfer(notAnImage.toBuilder().setModelName("no-such-model").build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("no-such-model").build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        ModelInferRequest image = notAnImage.toBuilder().setRawInputContents(0,
                ByteString.copyFrom(elements(List.of(Images.png(28, 28))))).build();
        assertThat(code(() -> stub.withDeadlineAfter(1, TimeUnit.MILLISECONDS).modelInfer(image)))
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        ModelInferRequest overLimit = image.toBuilder().setRawInputContents(0,
                ByteString.copyFrom(elements(List.of(new byte[1024 * 1024 + 1])))).build();
        assertThat(code(() -> stub.modelInfer(overLimit))).as("a message over the upload limit")
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(stub.modelInfer(image).getOutputsCount()).as("still serving").isEqualTo(1);
    }

    /** The same flow from Debian's python3-grpcio, with stubs generated from the .proto at test time. */
    @Test
    void aPythonGrpcioClientGetsClassifysTopFive(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        boolean grpcio = new ProcessBuilder("/usr/bin/python3", "-c", "import grpc, grpc_tools").start().waitFor() == 0;
        io.denseserve.testing.Prerequisites.require(grpcio,
                "the Python gRPC client (install Debian's python3-grpcio and python3-grpc-tools)");
        List<byte[]> images = List.of(Images.png(28, 28), Images.png(40, 31), Images.png(64, 48));
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "src/test/python/grpc_client.py",
                String.valueOf(GRPC_PORT), model, "src/main/proto/open_inference_grpc.proto"));
        for (int i = 0; i < images.size(); i++) {
            command.add(java.nio.file.Files.write(dir.resolve(i + ".png"), images.get(i)).toString());
        }
        Process python = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(python.exitValue()).as("the Python client's exit status").isZero();
        JsonNode got = JSON.readTree(output);
        assertThat(got.path("live").asBoolean() && got.path("ready").asBoolean() && got.path("model_ready").asBoolean()).isTrue();
        assertThat(got.path("extensions").toString()).contains("classification");
        assertThat(got.path("inputs").toString()).isEqualTo("[\"BYTES\",\"FP32\"]");
        assertThat(got.path("id").asText()).isEqualTo("py-1");
        assertThat(got.path("shape").toString()).isEqualTo("[3,5]");
        for (int i = 0; i < images.size(); i++) {
            JsonNode top = JSON.readTree(http.postRaw("/classify?topK=5", "image/png", images.get(i)).body()).path("topK");
            for (int k = 0; k < 5; k++) {
                String[] parts = got.path("classification").get(i * 5 + k).asText().split(":", 3);
                assertThat(Integer.parseInt(parts[1])).isEqualTo(top.get(k).path("index").asInt());
                assertThat(Double.parseDouble(parts[0])).isCloseTo(top.get(k).path("probability").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-6));
            }
        }
        double sum = 0;
        for (JsonNode p : got.path("tensor_probabilities")) {
            sum += p.asDouble();
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(got.path("not_an_image").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(got.path("unknown_model").asText()).isEqualTo("NOT_FOUND");
    }

    private List<String> reflectedServices() {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        List<String> found = new ArrayList<>();
                        response.getListServicesResponse().getServiceList().forEach(s -> found.add(s.getName()));
                        names.complete(found);
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return names.orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static Status.Code code(Runnable call) {
        return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    /** BYTES elements as raw contents: each a 4-byte little-endian length and its bytes. */
    static byte[] elements(List<byte[]> items) {
        ByteBuffer out = ByteBuffer.allocate(items.stream().mapToInt(b -> b.length + 4).sum()).order(ByteOrder.LITTLE_ENDIAN);
        items.forEach(b -> out.putInt(b.length).put(b));
        return out.array();
    }

    static List<String> strings(byte[] raw) {
        List<String> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            byte[] s = new byte[in.getInt()];
            in.get(s);
            out.add(new String(s, StandardCharsets.UTF_8));
        }
        return out;
    }
}
