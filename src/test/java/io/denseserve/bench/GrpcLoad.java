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
 * {@code classification: 5}, the next sent as each answer arrives, for {@code seconds} after a warm-up. Prints
 * {@code GRPC,req/s,p50 ms,p99 ms,requests,errors} as bench/post-image.lua's wrk lines, and given
 * the server's process id, the server's CPU time per request over the measured run.
 *
 * <p>Usage: {@code GrpcLoad PORT MODEL IMAGE CONCURRENCY SECONDS [SERVER_PID]} (bench/grpc-vs-rest.sh).
 */
public final class GrpcLoad {

    /**
     * Seconds of the same load before the measured run, unmeasured: a fresh JVM interprets and
     * compiles its client code at first, which wrk, native, does not pay.
     */
    private static final long WARM_UP_SECONDS = 3;

    /** {@code getconf CLK_TCK} on Linux. */
    private static final int CLOCK_TICKS = 100;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] image = Files.readAllBytes(Path.of(args[2]));
        int concurrency = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(args[1])
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
                .addRawInputContents(ByteString.copyFrom(ByteBuffer.allocate(4 + image.length).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(image.length).put(image).array()))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities")
                        .putParameters("classification", InferParameter.newBuilder().setInt64Param(5).build()))
                .build();
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub = GRPCInferenceServiceGrpc.newStub(channel);
        run(stub, request, concurrency, WARM_UP_SECONDS);
        Path server = Path.of("/proc", args.length > 5 ? args[5] : "self", "stat");
        long ticks = cpuTicks(server);
        Run measured = run(stub, request, concurrency, seconds);
        ticks = cpuTicks(server) - ticks;
        channel.shutdownNow();
        long[] sorted = measured.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("GRPC,%.2f,%.2f,%.2f,%d,%d", sorted.length / measured.seconds, percentile(sorted, 0.50),
                percentile(sorted, 0.99), sorted.length, measured.errors.get());
        System.out.println(args.length > 5 ? String.format(",%.2f", ticks * 1000.0 / CLOCK_TICKS / sorted.length) : "");
    }

    /** User and system CPU time of a process, in clock ticks (proc(5): fields 14 and 15 of stat). */
    private static long cpuTicks(Path stat) throws java.io.IOException {
        String line = Files.readString(stat);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Latencies (ns) of the calls that completed, the errors, and the seconds it ran. */
    private record Run(ConcurrentLinkedQueue<Long> latencies, AtomicInteger errors, double seconds) {
    }

    private static Run run(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, ModelInferRequest request,
            int concurrency, long seconds) throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
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
        return new Run(latencies, errors, (System.nanoTime() - start) / 1e9);
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    private GrpcLoad() {
    }
}
