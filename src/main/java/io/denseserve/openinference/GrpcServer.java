package io.denseserve.openinference;

import io.denseserve.config.DenseServeProperties;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.web.servlet.MultipartProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * grpc-java's Netty server on {@code denseserve.grpc.port}: {@link GrpcInferenceService}, gRPC's
 * health service and server reflection. It starts and stops with the web server: on shutdown it
 * takes no new calls and lets the ones running finish, for as long as Spring's graceful shutdown
 * gives the web server ({@code spring.lifecycle.timeout-per-shutdown-phase}). Calls run on a pool
 * of as many threads as the web server's request threads: each waits for its result, as a
 * request thread does. A connection may have as many calls open at once (HTTP/2's
 * {@code MAX_CONCURRENT_STREAMS}); a client wanting more waits for a stream instead of queueing
 * messages in the server.
 *
 * <p>The health service answers from the same readiness as {@code /actuator/health/readiness}
 * at each check ({@code HealthStatusManager} from grpc-services would need every change pushed to it).
 */
@Component
class GrpcServer implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

    private final int port;
    private final int maxMessageBytes;
    private final int threads;
    private final Duration drain;
    private final GrpcInferenceService inference;
    private final InferenceProtocol protocol;
    private volatile Server server;
    private ExecutorService executor;

    GrpcServer(DenseServeProperties properties, MultipartProperties multipart, GrpcInferenceService inference,
            InferenceProtocol protocol, @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration drain) {
        this.port = properties.getGrpc().getPort();
        this.maxMessageBytes = (int) Math.min(Integer.MAX_VALUE, multipart.getMaxRequestSize().toBytes());
        this.threads = properties.getInference().requestThreads();
        this.drain = drain;
        this.inference = inference;
        this.protocol = protocol;
    }

    @Override
    public void start() {
        if (port == 0) {
            return;
        }
        executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "grpc-call");
            thread.setDaemon(true);
            return thread;
        });
        try {
            server = NettyServerBuilder.forPort(port).maxInboundMessageSize(maxMessageBytes)
                    .maxConcurrentCallsPerConnection(threads).executor(executor)
                    .addService(inference).addService(new Health()).addService(ProtoReflectionServiceV1.newInstance())
                    .build().start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("the gRPC server could not listen on port " + port, e);
        }
        LOG.info("gRPC (inference.GRPCInferenceService, health, reflection) on port {}", server.getPort());
    }

    @Override
    public void stop(Runnable callback) {
        Server running = server;
        if (running == null) {
            callback.run();
            return;
        }
        running.shutdown();
        Thread waiter = new Thread(() -> {
            try {
                if (!running.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                    running.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.shutdownNow();
            } finally {
                executor.shutdown();
                server = null;
                callback.run();
            }
        }, "grpc-drain");
        waiter.start();
    }

    @Override
    public void stop() {
        stop(() -> {});
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Stops with the web server's graceful shutdown, before the model and its workers. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    /** {@code grpc.health.v1.Health}: SERVING when the service is ready, for the server ("") and the inference service. */
    private final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
            String service = request.getService();
            if (!service.isEmpty() && !service.equals("inference.GRPCInferenceService")) {
                response.onError(Status.NOT_FOUND.withDescription("unknown service " + service).asRuntimeException());
                return;
            }
            response.onNext(HealthCheckResponse.newBuilder().setStatus(protocol.ready()
                    ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING).build());
            response.onCompleted();
        }
    }
}
