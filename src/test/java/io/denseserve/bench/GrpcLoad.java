package io.denseserve.bench;

import com.google.protobuf.ByteString;
import io.denseserve.openinference.proto.GRPCInferenceServiceGrpc;
import io.denseserve.openinference.proto.InferParameter;
import io.denseserve.openinference.proto.ModelInferRequest;
import io.denseserve.openinference.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed-loop gRPC load, as wrk gives HTTP: {@code concurrency} calls of {@code ModelInfer} in
 * flight on one channel (one HTTP/2 connection), each an encoded image as raw BYTES [1] with
 * {@code classification: 5}, the next sent as each answer arrives, for {@code seconds}. Prints
 * {@code GRPC,req/s,p50 ms,p99 ms,requests,errors} as bench/post-image.lua's wrk lines.
 *
 * <p>Usage: {@code GrpcLoad PORT MODEL IMAGE CONCURRENCY SECONDS} (bench/grpc-vs-rest.sh).
 */
public final class GrpcLoad {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] image = Files.readAllBytes(Path.of(args[2]));
        int concurrency = Integer.parseInt(args[3]);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(args[1])
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
                .addRawInputContents(ByteString.copyFrom(ByteBuffer.allocate(4 + image.length).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(image.length).put(image).array()))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities")
                        .putParameters("classification", InferParameter.newBuilder().setInt64Param(5).build()))
                .build();
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub = GRPCInferenceServiceGrpc.newStub(channel);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            new Runnable() {
                @Override
                public void run() {
                    if (System.nanoTime() >= end) {
                        done.countDown();
                        return;
                    }
                    long sent = System.nanoTime();
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request, new StreamObserver<ModelInferResponse>() {
                        @Override
                        public void onNext(ModelInferResponse response) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            errors.incrementAndGet();
                            run();
                        }

                        @Override
                        public void onCompleted() {
                            latencies.add(System.nanoTime() - sent);
                            run();
                        }
                    });
                }
            }.run();
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        channel.shutdownNow();
        System.out.printf("GRPC,%.2f,%.2f,%.2f,%d,%d%n", sorted.length / seconds, percentile(sorted, 0.50),
                percentile(sorted, 0.99), sorted.length, errors.get());
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    private GrpcLoad() {
    }
}
