package io.denseserve.classify;

import io.denseserve.admission.Admission;
import io.denseserve.admission.DecodeBudget;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.explain.ClassActivationMap;
import io.denseserve.explain.OverlayBase;
import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.InferenceFailedException;
import io.denseserve.failure.InvalidParameterException;
import io.denseserve.inference.InferenceMetrics;
import io.denseserve.inference.InferenceResult;
import io.denseserve.preprocess.CropWindow;
import io.denseserve.preprocess.DecodedImage;
import io.denseserve.preprocess.ImageDecoder;
import io.denseserve.serving.ModelAddress;
import io.denseserve.serving.ModelService;
import io.denseserve.serving.ServedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;

/**
 * Classifies images: decode and preprocess on the request thread, queue for the batching
 * predictor, wait within the request's deadline, and rank the classes.
 */
@Service
public class ClassificationService {

    private final ModelService models;
    private final Admission admission;
    private final ImageDecoder decoder;
    private final long timeoutNanos;

    ClassificationService(ModelService models, Admission admission, DenseServeProperties properties) {
        this.models = models;
        this.admission = admission;
        this.decoder = new ImageDecoder(properties.getLimits().getMaxImageSize().toBytes(),
                properties.getLimits().getMaxPixels());
        this.timeoutNanos = properties.getInference().getRequestTimeout().toNanos();
    }

    /** Overlays are drawn on the image scaled down to fit this square, whatever the upload's size. */
    public static final int OVERLAY_MAX_SIDE = 512;

    /**
     * Whether to explain a classification, and which class.
     *
     * @param classIndex the class whose map to draw; {@code null} for the most probable
     */
    public record ExplainRequest(boolean wanted, Integer classIndex) {
        public static final ExplainRequest NONE = new ExplainRequest(false, null);
    }

    /**
     * An image on its way through the pipeline: preprocessed and queued, with what an explanation
     * will need ({@code null} when none was asked for).
     */
    record Pending(ServedModel model, long startNanos, long preprocessNanos, CompletableFuture<InferenceResult> result,
            ExplainRequest explain, OverlayBase overlayBase) {}

    /**
     * Classifies one image and, if asked, explains one class with its class activation map.
     *
     * @param startNanos when the request arrived ({@link System#nanoTime()})
     */
    public ClassificationResponse classify(ModelAddress address, byte[] image, int topK, ExplainRequest explain,
            long startNanos) {
        return await(leased(address, model -> submit(model, image, explain, startNanos, startNanos + timeoutNanos)), topK);
    }

    /** What a request may hand the model: an encoded image, or a tensor already preprocessed to its input shape. */
    public sealed interface ModelInput {
        /** An image file's bytes, decoded and preprocessed as {@code POST /classify} does. */
        record EncodedImage(byte[] bytes) implements ModelInput {}

        /** C x H x W values, channels first, normalised as the model's preprocessing would. */
        record Tensor(float[] values) implements ModelInput {}
    }

    /** The served model and the class probabilities of each input, in the inputs' order. */
    public record Probabilities(ServedModel model, List<float[]> values) {}

    /**
     * Class probabilities for several inputs, all from one version of the model addressed (held for
     * the whole call, so that a swap cannot split them): each is admitted and queued before any is
     * awaited, so they share batches. The first input refused or failed fails the call; the inputs
     * already queued are then withdrawn. The deadline is the request timeout's, or the caller's (a
     * gRPC client's) where that comes first.
     *
     * @param callerDeadlineNanos a {@link System#nanoTime()} past which the caller no longer wants
     *     the result, or null: the request timeout's alone
     * @param protocol which door the request came in by, for its count
     */
    public Probabilities probabilities(ModelAddress address, List<ModelInput> inputs, long startNanos,
            Long callerDeadlineNanos, InferenceMetrics.Protocol protocol) {
        long timeout = startNanos + timeoutNanos;
        // nanoTime values compare by their difference
        long deadline = callerDeadlineNanos != null && callerDeadlineNanos - timeout < 0 ? callerDeadlineNanos : timeout;
        ServedModel model = models.acquire(address);
        List<Pending> queued = new ArrayList<>(inputs.size());
        try {
            for (ModelInput input : inputs) {
                queued.add(input instanceof ModelInput.EncodedImage image
                        ? submit(model, image.bytes(), ExplainRequest.NONE, startNanos, deadline)
                        : submitTensor(model, ((ModelInput.Tensor) input).values(), startNanos, deadline));
            }
            List<float[]> values = new ArrayList<>(queued.size());
            for (Pending pending : queued) {
                values.add(waitFor(pending.result(), deadline).probabilities());
            }
            model.metrics().recordTotal(System.nanoTime() - startNanos);
            model.metrics().count(InferenceMetrics.Outcome.OK, protocol);
            return new Probabilities(model, values);
        } catch (RuntimeException e) {
            queued.forEach(p -> p.result().cancel(false));
            throw e;
        } finally {
            model.release(); // every input is answered or withdrawn by now
        }
    }

    /** Queues a preprocessed tensor without waiting for its result. */
    private Pending submitTensor(ServedModel model, float[] values, long startNanos, long deadlineNanos) {
        if (values.length != model.preprocessor().inputSize()) {
            throw new IllegalArgumentException("a tensor of " + values.length + " values; the model takes "
                    + model.preprocessor().inputSize());
        }
        return admitted(() -> new Pending(model, startNanos, 0, model.predictor().submit(values, deadlineNanos),
                ExplainRequest.NONE, null));
    }

    /** Decodes, preprocesses and queues an image for the model addressed, without waiting for its result. */
    Pending submit(ModelAddress address, byte[] image, long startNanos) {
        return leased(address, model -> submit(model, image, ExplainRequest.NONE, startNanos, startNanos + timeoutNanos));
    }

    private Pending submit(ServedModel model, byte[] image, ExplainRequest explain, long startNanos, long deadlineNanos) {
        Integer explainClass = explain.classIndex();
        if (explain.wanted() && explainClass != null && (explainClass < 0 || explainClass >= model.activationMaps().classes())) {
            throw new InvalidParameterException("explainClass " + explainClass + " does not exist; the model has classes 0 to "
                    + (model.activationMaps().classes() - 1));
        }
        return admitted(() -> admittedSubmit(image, explain, startNanos, deadlineNanos, model));
    }

    /**
     * Runs {@code queue} on the model addressed, holding it until the result is in or the queueing
     * fails, so that a model being replaced is freed only after.
     */
    private Pending leased(ModelAddress address, Function<ServedModel, Pending> queue) {
        ServedModel model = models.acquire(address);
        try {
            Pending pending = queue.apply(model);
            pending.result().whenComplete((result, error) -> model.release());
            return pending;
        } catch (RuntimeException e) {
            model.release();
            throw e;
        }
    }

    /** Runs {@code queue} holding an admission permit, given back when its result is in or it fails. */
    private Pending admitted(Supplier<Pending> queue) {
        admission.admit();
        try {
            Pending pending = queue.get();
            pending.result().whenComplete((result, error) -> admission.release());
            return pending;
        } catch (RuntimeException e) {
            admission.release();
            throw e;
        }
    }

    private Pending admittedSubmit(byte[] image, ExplainRequest explain, long startNanos, long deadline, ServedModel model) {
        OverlayBase[] overlayBase = new OverlayBase[1];
        float[] input = decodeAndPreprocess(image, model, deadline, decoded -> {
            if (explain.wanted()) {
                overlayBase[0] = OverlayBase.of(decoded, model.preprocessor().cropWindow(decoded.width(), decoded.height()),
                        OVERLAY_MAX_SIDE);
            }
        });
        long preprocessNanos = System.nanoTime() - startNanos;
        model.metrics().recordPreprocess(preprocessNanos);
        return new Pending(model, startNanos, preprocessNanos, model.predictor().submit(input, explain.wanted(), deadline),
                explain, overlayBase[0]);
    }

    /**
     * @param keep sees the decoded image while its decoding room is still held (an explanation
     *     keeps a copy of it that fits {@link #OVERLAY_MAX_SIDE})
     */
    private float[] decodeAndPreprocess(byte[] image, ServedModel model, long deadlineNanos, Consumer<DecodedImage> keep) {
        // A quarter of the request's time is kept for what follows decoding (the queue, the forward
        // pass): decoding room won, or a large image decoded, later than that would only turn the
        // refusal into a 504.
        long reserve = timeoutNanos / 4;
        try (DecodeBudget.Lease lease = admission.decodeLease(deadlineNanos - reserve)) {
            long[] pixelsAndStart = new long[2];
            DecodedImage decoded = decoder.decode(image, pixels -> {
                lease.acquire(pixels);
                admission.checkTimeToDecode(pixels, deadlineNanos - reserve);
                pixelsAndStart[0] = Math.max(pixelsAndStart[0], pixels);
                pixelsAndStart[1] = System.nanoTime();
            });
            float[] input = model.preprocessor().apply(decoded);
            keep.accept(decoded);
            admission.recordDecode(pixelsAndStart[0], System.nanoTime() - pixelsAndStart[1]);
            admission.checkDecodedInTime(pixelsAndStart[0], deadlineNanos, reserve);
            return input;
        }
    }

    /** Waits for a queued image's result within its deadline and ranks the classes. */
    ClassificationResponse await(Pending pending, int topK) {
        InferenceResult result = waitFor(pending.result(), pending.startNanos() + timeoutNanos);
        List<String> labels = pending.model().manifest().labels();
        List<Prediction> ranked = rank(result.probabilities(), labels, topK);
        Explanation explanation = pending.explain().wanted() ? explain(pending, result, labels, ranked.get(0).index()) : null;
        long total = System.nanoTime() - pending.startNanos();
        pending.model().metrics().recordTotal(total);
        pending.model().metrics().count(InferenceMetrics.Outcome.OK, InferenceMetrics.Protocol.REST);
        var manifest = pending.model().manifest();
        return new ClassificationResponse(ClassificationResponse.SCHEMA_VERSION,
                new ClassificationResponse.ModelRef(manifest.name(), manifest.version()), ranked.get(0), ranked,
                new Timings(ms(pending.preprocessNanos()), ms(result.queueNanos()), ms(result.inferenceNanos()),
                        ms(total), result.batchSize()), explanation);
    }

    /** The class activation map of the class asked for (the top one by default) and its overlay. */
    private static Explanation explain(Pending pending, InferenceResult result, List<String> labels, int top) {
        long start = System.nanoTime();
        float[] probabilities = result.probabilities();
        Integer asked = pending.explain().classIndex();
        int c = asked != null ? asked : top;
        ClassActivationMap map = pending.model().activationMaps().of(result.features(), c);
        OverlayBase base = pending.overlayBase();
        byte[] png = base.draw(map);
        CropWindow w = base.window();
        return new Explanation(new Prediction(labels.get(c), c, probabilities[c]), map.rows(),
                new Explanation.Window(w.x(), w.y(), w.width(), w.height()), png, base.image().width(),
                base.image().height(), ms(System.nanoTime() - start));
    }

    private static InferenceResult waitFor(CompletableFuture<InferenceResult> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false); // a queued job is then skipped by the worker
            throw new DeadlineExceededException("no result within the request timeout");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new InferenceFailedException("inference failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new DeadlineExceededException("interrupted while waiting for the result");
        }
    }

    /**
     * The {@code k} most probable classes, the lower index first among equal ones; {@code k} beyond
     * the number of classes is clamped. Each class is one {@code long} sort key, probability above
     * index, so the sort is primitive: on the request thread a boxed sort of 1,000 classes took
     * a twentieth of the CPU of a DenseNet-121 request (JFR at saturation).
     */
    public static List<Prediction> rank(float[] probabilities, List<String> labels, int k) {
        int n = Math.min(k, probabilities.length);
        long[] keys = new long[probabilities.length];
        for (int i = 0; i < keys.length; i++) {
            int bits = Float.floatToIntBits(probabilities[i]);
            bits ^= (bits >> 31) & Integer.MAX_VALUE; // negative floats order as signed ints do
            keys[i] = (long) bits << 32 | (Integer.MAX_VALUE - i);
        }
        Arrays.sort(keys);
        List<Prediction> top = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = Integer.MAX_VALUE - (int) keys[keys.length - 1 - i];
            top.add(new Prediction(labels.get(c), c, probabilities[c]));
        }
        return top;
    }


    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
