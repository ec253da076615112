package io.denseserve.openinference;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.denseserve.openinference.proto.GRPCInferenceServiceGrpc;
import io.denseserve.openinference.proto.ModelInferRequest;
import io.denseserve.openinference.proto.ModelInferResponse;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A burst of gRPC calls far beyond a one-slot queue, on a model slow enough to fill it: the excess
 * is refused RESOURCE_EXHAUSTED with a {@code retry-after} trailer, everything admitted succeeds,
 * and nothing ends any other way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcOverloadTest {

    static final int GRPC_PORT = Http.freePort();

    @DynamicPropertySource
    static void slowModelTinyQueue(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(22, 12, 96); // tens of milliseconds per image
        registry.add("denseserve.model.bundle", bundle::toString);
        registry.add("denseserve.inference.queue-capacity", () -> "1");
        registry.add("denseserve.inference.batch-size", () -> "1");
        registry.add("denseserve.grpc.port", () -> GRPC_PORT);
    }

    @LocalServerPort
    int port;

    /** How one call ended: its code, and its retry-after trailer where it had one. */
    record Ended(Status.Code code, String retryAfter) {}

    @Test
    void excessCallsAreRefusedResourceExhaustedAndTheRestSucceed() throws Exception {
        new Http(port).awaitReady();
        byte[] png = Images.png(96, 96);
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("test-bc22")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
                .addRawInputContents(ByteString.copyFrom(GrpcEndToEndTest.elements(List.of(png))))
                .build();
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", GRPC_PORT).usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            List<CompletableFuture<Ended>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                CompletableFuture<Ended> ended = new CompletableFuture<>();
                stub.modelInfer(request, new StreamObserver<ModelInferResponse>() {
                    @Override
                    public void onNext(ModelInferResponse response) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        Metadata trailers = Status.trailersFromThrowable(t);
                        ended.complete(new Ended(Status.fromThrowable(t).getCode(),
                                trailers == null ? null : trailers.get(GrpcInferenceService.RETRY_AFTER)));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(new Ended(Status.Code.OK, null));
                    }
                });
                calls.add(ended);
            }
            List<Ended> all = calls.stream().map(c -> c.orTimeout(90, TimeUnit.SECONDS).join()).toList();
            assertThat(all).allSatisfy(e -> assertThat(e.code()).isIn(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED));
            assertThat(all).filteredOn(e -> e.code() == Status.Code.RESOURCE_EXHAUSTED).as("calls refused").isNotEmpty()
                    .allSatisfy(e -> assertThat(e.retryAfter()).isEqualTo("1"));
            assertThat(all).filteredOn(e -> e.code() == Status.Code.OK).as("calls served").isNotEmpty();
        } finally {
            channel.shutdownNow();
        }
    }
}
