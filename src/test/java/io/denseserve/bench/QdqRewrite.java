package io.denseserve.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.denseserve.onnx.proto.Onnx.AttributeProto;
import io.denseserve.onnx.proto.Onnx.GraphProto;
import io.denseserve.onnx.proto.Onnx.ModelProto;
import io.denseserve.onnx.proto.Onnx.NodeProto;
import io.denseserve.onnx.proto.Onnx.TensorProto;
import io.denseserve.onnx.proto.Onnx.TypeProto;
import io.denseserve.onnx.proto.Onnx.ValueInfoProto;
import io.denseserve.plan.OnnxRuntimePlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float32 DenseNet graph (the service's ONNX Runtime plan) into ONNX's QDQ form, the
 * int8 measurement of BENCHMARKS.md: every convolution but the stem's (the 1x1 and 3x3 ones and
 * the depthwise ones the plan writes for batch norms it cannot fold) reads its input through
 * QuantizeLinear / DequantizeLinear (uint8, scale and zero point from the range calibration saw),
 * its weights as int8 with one scale per output channel and its bias as int32, and writes its
 * output through a quantize pair too (after the ReLU where one follows). ONNX Runtime fuses each
 * group into an integer convolution (QLinearConv: VNNI or AMX where the CPU has them).
 *
 * <p>ONNX Runtime's own quantization tool is Python only; this is the part of it the measurement
 * needs. The variants BENCHMARKS.md compares are system properties: {@code bench.int8.ops} (the
 * other operators whose inputs and output are quantized; default {@code Concat,AveragePool},
 * {@code none} for none), {@code bench.int8.depthwise=false} (batch-norm convolutions stay
 * float32), {@code bench.int8.average=true} (each tensor's range the mean of the per-batch minima
 * and maxima, as ONNX Runtime's moving-average calibration, instead of the overall ones).
 */
final class QdqRewrite {

    /** ONNX's element types beyond the float32 the service's trimmed onnx.proto names. */
    private static final int UINT8 = 2;
    private static final int INT8 = 3;
    private static final int INT32 = 6;

    private static final boolean DEPTHWISE = Boolean.parseBoolean(System.getProperty("bench.int8.depthwise", "true"));
    /** Beside the convolutions: what runs on uint8 directly (or fused, for concatenation). */
    private static final Set<String> OPS = Set.of(System.getProperty("bench.int8.ops", "Concat,AveragePool").split(","));
    private static final boolean AVERAGE = Boolean.parseBoolean(System.getProperty("bench.int8.average", "false"));

    private final ModelProto model;
    private final GraphProto graph;
    /** The dense convolutions to quantize, by name. */
    private final List<NodeProto> convs = new ArrayList<>();
    /** Every tensor that gets a quantize pair, in graph order. */
    private final Set<String> quantized = new LinkedHashSet<>();

    QdqRewrite(byte[] float32Model) throws Exception {
        this.model = ModelProto.parseFrom(float32Model);
        this.graph = model.getGraph();
        String input = graph.getInput(0).getName();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            for (String in : node.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
        }
        for (NodeProto node : graph.getNodeList()) {
            boolean conv = node.getOpType().equals("Conv") && !node.getInput(0).equals(input)
                    && (DEPTHWISE || group(node) == 1);
            if (!conv && !OPS.contains(node.getOpType())) {
                continue;
            }
            if (conv) {
                convs.add(node);
                quantized.add(node.getInput(0));
            } else {
                quantized.addAll(node.getInputList());
            }
            List<NodeProto> next = consumers.getOrDefault(node.getOutput(0), List.of());
            boolean intoRelu = next.size() == 1 && next.get(0).getOpType().equals("Relu");
            quantized.add(intoRelu ? next.get(0).getOutput(0) : node.getOutput(0));
        }
    }

    int convolutions() {
        return convs.size();
    }

    /** Per tensor to quantize, its {min, max} over every value of every image. */
    Map<String, float[]> calibrate(float[][] images, long[] imageShape, int batch) throws Exception {
        ModelProto.Builder withOutputs = model.toBuilder();
        GraphProto.Builder g = withOutputs.getGraphBuilder();
        for (String tensor : quantized) {
            g.addOutput(ValueInfoProto.newBuilder().setName(tensor).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        }
        Map<String, Range> ranges = new LinkedHashMap<>();
        try (OrtSession.SessionOptions options = OnnxRuntimePlan.sessionOptions(2, false)) {
            runBatches(withOutputs.build().toByteArray(), options, images, imageShape, batch, graph.getInput(0).getName(),
                    quantized, (from, result) -> {
                        for (Map.Entry<String, OnnxValue> e : result) {
                            ranges.computeIfAbsent(e.getKey(), k -> new Range()).add(((OnnxTensor) e.getValue()).getFloatBuffer());
                        }
                    });
        }
        Map<String, float[]> bounds = new LinkedHashMap<>();
        ranges.forEach((tensor, range) -> bounds.put(tensor, range.bounds()));
        return bounds;
    }

    /** What is done with one batch's outputs; {@code from} is the index of its first image. */
    interface BatchOutputs {
        void accept(int from, OrtSession.Result result) throws Exception;
    }

    /** Runs {@code model} over {@code images} in batches of at most {@code batch}, handing each batch's {@code outputs} on. */
    static void runBatches(byte[] model, OrtSession.SessionOptions options, float[][] images, long[] imageShape, int batch,
            String input, Set<String> outputs, BatchOutputs each) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession onnx = env.createSession(model, options)) {
            for (int from = 0; from < images.length; from += batch) {
                int n = Math.min(batch, images.length - from);
                FloatBuffer flat = FloatBuffer.allocate(n * images[from].length);
                for (int i = 0; i < n; i++) {
                    flat.put(images[from + i]);
                }
                flat.flip();
                long[] shape = {n, imageShape[0], imageShape[1], imageShape[2]};
                try (OnnxTensor x = OnnxTensor.createTensor(env, flat, shape);
                        OrtSession.Result result = onnx.run(Map.of(input, x), outputs)) {
                    each.accept(from, result);
                }
            }
        }
    }

    /** One tensor's values over the calibration batches: the overall bounds and the mean per-batch ones. */
    private static final class Range {
        private float min = Float.MAX_VALUE;
        private float max = -Float.MAX_VALUE;
        private float minSum;
        private float maxSum;
        private int batches;

        void add(FloatBuffer values) {
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            while (values.hasRemaining()) {
                float v = values.get();
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            min = Math.min(min, lo);
            max = Math.max(max, hi);
            minSum += lo;
            maxSum += hi;
            batches++;
        }

        float[] bounds() {
            return AVERAGE ? new float[] {minSum / batches, maxSum / batches} : new float[] {min, max};
        }
    }

    /** The QDQ model, with the activation ranges {@link #calibrate} measured. */
    byte[] quantize(Map<String, float[]> ranges) {
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        Map<String, Activation> activations = new HashMap<>();
        for (String tensor : quantized) {
            activations.put(tensor, Activation.of(ranges.get(tensor)));
        }
        GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
        Set<String> replaced = new LinkedHashSet<>();
        for (NodeProto conv : convs) {
            replaced.add(conv.getInput(1));
            if (conv.getInputCount() > 2) {
                replaced.add(conv.getInput(2));
            }
        }
        for (TensorProto t : graph.getInitializerList()) {
            if (!replaced.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        Set<String> convNames = new LinkedHashSet<>();
        convs.forEach(c -> convNames.add(c.getName()));
        for (NodeProto node : graph.getNodeList()) {
            NodeProto.Builder rewritten = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                if (quantized.contains(node.getInput(i))) {
                    rewritten.setInput(i, node.getInput(i) + "_dq");
                }
            }
            if (convNames.contains(node.getName())) {
                Activation x = activations.get(node.getInput(0));
                TensorProto w = initializers.get(node.getInput(1));
                TensorProto b = node.getInputCount() > 2 ? initializers.get(node.getInput(2)) : null;
                float[] weightScales = quantizeWeights(out, node.getInput(1), w);
                rewritten.setInput(1, node.getInput(1) + "_dq");
                if (b != null) {
                    quantizeBias(out, node.getInput(2), b, x.scale, weightScales);
                    rewritten.setInput(2, node.getInput(2) + "_dq");
                }
            }
            out.addNode(rewritten);
            String produced = node.getOutputCount() == 1 ? node.getOutput(0) : null;
            if (produced != null && quantized.contains(produced)) {
                Activation a = activations.get(produced);
                String scale = scalar(out, produced + "_scale", a.scale);
                String zero = uint8(out, produced + "_zero", a.zeroPoint);
                out.addNode(node("QuantizeLinear", produced + "_q", produced, scale, zero));
                out.addNode(node("DequantizeLinear", produced + "_dq", produced + "_q", scale, zero));
            }
        }
        // A quantized tensor that is the graph input has no producer; none is (the stem stays float).
        return model.toBuilder().setGraph(out).build().toByteArray();
    }

    /** uint8 with the zero point where the calibrated range's 0 falls (0 for a ReLU's output). */
    private record Activation(float scale, int zeroPoint) {
        static Activation of(float[] range) {
            float min = Math.min(range[0], 0);
            float max = Math.max(range[1], 0);
            float scale = max > min ? (max - min) / 255f : 1f;
            int zero = Math.max(0, Math.min(255, Math.round(-min / scale)));
            return new Activation(scale, zero);
        }
    }

    /** Symmetric int8 per output channel; returns the scales. */
    private static float[] quantizeWeights(GraphProto.Builder out, String name, TensorProto w) {
        float[] values = floats(w);
        int channels = (int) w.getDims(0);
        int per = values.length / channels;
        float[] scales = new float[channels];
        byte[] q = new byte[values.length];
        for (int o = 0; o < channels; o++) {
            float max = 0;
            for (int i = 0; i < per; i++) {
                max = Math.max(max, Math.abs(values[o * per + i]));
            }
            scales[o] = max > 0 ? max / 127f : 1f;
            for (int i = 0; i < per; i++) {
                q[o * per + i] = (byte) Math.max(-127, Math.min(127, Math.round(values[o * per + i] / scales[o])));
            }
        }
        out.addInitializer(tensor(name + "_q", INT8, w.getDimsList(), q));
        out.addInitializer(floatTensor(name + "_scale", List.of((long) channels), scales));
        out.addInitializer(tensor(name + "_zero", INT8, List.of((long) channels),
                new byte[channels]));
        out.addNode(node("DequantizeLinear", name + "_dq", name + "_q", name + "_scale", name + "_zero").toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)));
        return scales;
    }

    /** int32 at the input scale times each channel's weight scale, as integer convolutions add it. */
    private static void quantizeBias(GraphProto.Builder out, String name, TensorProto b, float inputScale,
            float[] weightScales) {
        float[] values = floats(b);
        float[] scales = new float[values.length];
        ByteBuffer q = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o < values.length; o++) {
            scales[o] = inputScale * weightScales[o];
            q.putInt((int) Math.round(values[o] / (double) scales[o]));
        }
        List<Long> dims = List.of((long) values.length);
        out.addInitializer(tensor(name + "_q", INT32, dims, q.array()));
        out.addInitializer(floatTensor(name + "_scale", dims, scales));
        out.addInitializer(tensor(name + "_zero", INT32, dims, new byte[values.length * 4]));
        out.addNode(node("DequantizeLinear", name + "_dq", name + "_q", name + "_scale", name + "_zero").toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)));
    }

    private static long group(NodeProto node) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals("group")) {
                return a.getI();
            }
        }
        return 1;
    }

    private static NodeProto node(String op, String output, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_node").addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n.build();
    }

    private static String scalar(GraphProto.Builder out, String name, float value) {
        out.addInitializer(floatTensor(name, List.of(), new float[] {value}));
        return name;
    }

    private static String uint8(GraphProto.Builder out, String name, int value) {
        out.addInitializer(tensor(name, UINT8, List.of(), new byte[] {(byte) value}));
        return name;
    }

    private static float[] floats(TensorProto t) {
        FloatBuffer buffer = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static TensorProto floatTensor(String name, List<Long> dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor(name, TensorProto.DataType.FLOAT_VALUE, dims, raw.array());
    }

    private static TensorProto tensor(String name, int type, List<Long> dims, byte[] raw) {
        return TensorProto.newBuilder().setName(name).setDataType(type).addAllDims(dims)
                .setRawData(ByteString.copyFrom(raw)).build();
    }
}
