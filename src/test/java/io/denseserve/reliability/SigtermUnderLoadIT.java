package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.denseserve.openinference.proto.GRPCInferenceServiceGrpc;
import io.denseserve.openinference.proto.ModelInferRequest;
import io.denseserve.openinference.proto.ModelInferResponse;
import io.denseserve.testing.Images;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the packaged jar's process under load ({@link SigtermDrain}), with gRPC calls
 * ({@code ModelInfer}, an encoded image) arriving beside the REST requests. The batch delay is
 * raised to 300 ms so dozens of requests are queued at the moment of the signal rather than the
 * two or three a 5 ms delay would leave in flight. Every gRPC call sent before the signal must
 * succeed too; later ones succeed or are refused UNAVAILABLE.
 */
class SigtermUnderLoadIT {

    /** A gRPC call: when it was sent and how it ended. */
    record Call(long sentNanos, Status.Code code) {}

    @Test
    void requestsInFlightAtSigtermAllSucceedAndLaterOnesAreRefusedCleanly() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        int grpcPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            grpcPort = socket.getLocalPort();
        }
        try (ServerProcess server = ServerProcess.start("sigterm", "--denseserve.inference.max-batch-delay=300ms",
                "--denseserve.inference.batch-size=32", "--denseserve.grpc.port=" + grpcPort)) {
            Duration grace = Duration.ofSeconds(40);
            ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
            ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
            ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicInteger pending = new AtomicInteger();
            long[] sigterm = new long[1];
            try {
                // 20 calls a second for as long as the REST run lasts (its warm-up, then 8 s of load).
                sender.scheduleAtFixedRate(() -> send(channel, calls, pending), 3_000, 50, TimeUnit.MILLISECONDS);
                SigtermDrain.check(server, 60, grace, () -> {
                    sigterm[0] = System.nanoTime();
                    return server.terminate(grace);
                }, figures);
            } finally {
                sender.shutdownNow();
                for (int i = 0; i < 600 && pending.get() > 0; i++) {
                    Thread.sleep(100);
                }
                channel.shutdownNow();
                List<Call> before = calls.stream().filter(c -> c.sentNanos() < sigterm[0] - SigtermDrain.RACE_MARGIN_NANOS).toList();
                List<Call> after = calls.stream().filter(c -> !before.contains(c)).toList();
                figures.put("grpcSentBeforeSigterm", before.size());
                figures.put("grpcOkSentBeforeSigterm", before.stream().filter(c -> c.code() == Status.Code.OK).count());
                figures.put("grpcOkSentAfterSigterm", after.stream().filter(c -> c.code() == Status.Code.OK).count());
                figures.put("grpcUnavailableAfterSigterm", after.stream().filter(c -> c.code() == Status.Code.UNAVAILABLE).count());
                Reports.write("sigterm", figures);
                assertThat(before).as("gRPC calls sent before SIGTERM").hasSizeGreaterThan(20)
                        .allSatisfy(c -> assertThat(c.code()).isEqualTo(Status.Code.OK));
                assertThat(after).as("gRPC calls after SIGTERM: answered, or refused as unavailable")
                        .allSatisfy(c -> assertThat(c.code()).isIn(Status.Code.OK, Status.Code.UNAVAILABLE));
            }
            assertThat(server.log()).contains("Graceful shutdown complete");
        }
    }

    private static final byte[] IMAGE = Images.png(28, 28);

    private static void send(ManagedChannel channel, ConcurrentLinkedQueue<Call> calls, AtomicInteger pending) {
        long sent = System.nanoTime();
        pending.incrementAndGet();
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("fashion-mnist-densenet-bc")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
                .addRawInputContents(ByteString.copyFrom(ByteBuffer.allocate(4 + IMAGE.length).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(IMAGE.length).put(IMAGE).array()))
                .build();
        GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request,
                new StreamObserver<ModelInferResponse>() {
                    @Override
                    public void onNext(ModelInferResponse response) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        calls.add(new Call(sent, Status.fromThrowable(t).getCode()));
                        pending.decrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        calls.add(new Call(sent, Status.Code.OK));
                        pending.decrementAndGet();
                    }
                });
    }
}
