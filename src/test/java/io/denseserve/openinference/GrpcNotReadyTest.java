package io.denseserve.openinference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.denseserve.openinference.proto.GRPCInferenceServiceGrpc;
import io.denseserve.openinference.proto.ModelInferRequest;
import io.denseserve.openinference.proto.ServerLiveRequest;
import io.denseserve.openinference.proto.ServerReadyRequest;
import io.denseserve.serving.ModelService;
import io.denseserve.serving.ModelState;
import io.denseserve.testing.Images;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A model that cannot load (its weights file does not exist) over gRPC: the server is live but
 * never ready, health says NOT_SERVING, and an inference is refused UNAVAILABLE with a
 * {@code retry-after} trailer rather than failing as an internal error.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "denseserve.model.torchvision=densenet121", "denseserve.model.weights=/nonexistent/models/densenet121.pth"})
class GrpcNotReadyTest {

    static final int GRPC_PORT = io.denseserve.testing.Http.freePort();

    @DynamicPropertySource
    static void grpcPort(DynamicPropertyRegistry registry) {
        registry.add("denseserve.grpc.port", () -> GRPC_PORT);
    }

    @Autowired
    ModelService models;

    @Test
    void aModelThatFailedToLoadIsUnavailableOverGrpc() throws Exception {
        for (int i = 0; i < 600 && models.state() != ModelState.FAILED; i++) {
            Thread.sleep(50);
        }
        assertThat(models.state()).isEqualTo(ModelState.FAILED);
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", GRPC_PORT).usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
            assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
            assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
            byte[] image = Images.png(28, 28);
            ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("densenet121")
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
                    .addRawInputContents(ByteString.copyFrom(GrpcEndToEndTest.elements(List.of(image))))
                    .build();
            StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(request));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(refused.getTrailers().get(GrpcInferenceService.RETRY_AFTER)).isEqualTo("1");
            assertThat(refused.getStatus().getDescription()).doesNotContain("/nonexistent");
        } finally {
            channel.shutdownNow();
        }
    }
}
