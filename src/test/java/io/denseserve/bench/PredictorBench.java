package io.denseserve.bench;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.preprocess.ImageDecoder;
import io.denseserve.serving.ModelService;
import io.denseserve.serving.ServedModel;
import io.denseserve.serving.StandaloneModelService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-process throughput of the service's predictor pool at saturation, without HTTP or decoding:
 * the model is loaded by {@link ModelService} exactly as the server loads it, the image is
 * preprocessed once, and {@code concurrency} threads keep submitting it for {@code seconds}. With
 * {@code -Dbench.decode=true} each submitting thread decodes and preprocesses the image before each
 * submission, as a request thread does: the difference is what that work costs the lanes it shares
 * the CPUs with, without HTTP.
 *
 * <p>{@code PredictorBench <default|bundle-dir|torchvision:densenet121:file.pth> <image> <seconds> <concurrency>}
 * prints {@code RESULT,predictor,<concurrency>,<images/s>}. Driven by {@code bench/http-load.sh}.
 */
public final class PredictorBench {

    public static void main(String[] args) throws Exception {
        DenseServeProperties properties = new DenseServeProperties();
        // The server's own settings, when the benchmark runs a non-default configuration.
        properties.getInference().setWorkers(Integer.getInteger("denseserve.inference.workers", 0));
        properties.getInference().setIntraOpThreads(Integer.getInteger("denseserve.inference.intra-op-threads", 0));
        properties.getInference().setBatchSize(Integer.getInteger("denseserve.inference.batch-size"));
        properties.getInference().setPrecision(DenseServeProperties.PrecisionChoice.valueOf(
                System.getProperty("denseserve.inference.precision", "fp32").toUpperCase(java.util.Locale.ROOT)));
        if (args[0].startsWith("torchvision:")) {
            String[] parts = args[0].split(":", 3);
            properties.getModel().setTorchvision(parts[1]);
            properties.getModel().setWeights(Path.of(parts[2]));
        } else if (!args[0].equals("default")) {
            properties.getModel().setBundle(Path.of(args[0]));
        }
        ModelService service = StandaloneModelService.create(properties, new SimpleMeterRegistry());
        service.load();
        ServedModel model = service.find(null, null);
        System.out.printf("LOADED,rss_mib=%d%n", ForwardBench.rssMiB("VmRSS:"));
        byte[] image = Files.readAllBytes(Path.of(args[1]));
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        float[] input = model.preprocessor().apply(decoder.decode(image));
        boolean decodeEach = Boolean.getBoolean("bench.decode");
        long seconds = Long.parseLong(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    float[] submitted = decodeEach ? model.preprocessor().apply(decoder.decode(image)) : input;
                    model.predictor().submit(submitted, System.nanoTime() + TimeUnit.SECONDS.toNanos(60)).join();
                    done.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("RESULT,predictor,%d,%.2f,rss_mib=%d%n", concurrency, done.get() / elapsed,
                ForwardBench.rssMiB("VmRSS:"));
        service.destroy();
    }
}
