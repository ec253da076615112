package io.denseserve.onnx;

import com.google.protobuf.ByteString;
import io.denseserve.onnx.proto.Onnx.AttributeProto;
import io.denseserve.onnx.proto.Onnx.GraphProto;
import io.denseserve.onnx.proto.Onnx.ModelProto;
import io.denseserve.onnx.proto.Onnx.NodeProto;
import io.denseserve.onnx.proto.Onnx.OperatorSetIdProto;
import io.denseserve.onnx.proto.Onnx.StringStringEntryProto;
import io.denseserve.onnx.proto.Onnx.TensorProto;
import io.denseserve.onnx.proto.Onnx.TensorShapeProto;
import io.denseserve.onnx.proto.Onnx.TypeProto;
import io.denseserve.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Assembles one ONNX graph of float32 tensors: inputs, initializers, nodes and outputs, then the
 * model around it. Knows ONNX's containers, nothing about DenseNet.
 */
final class GraphBuilder {

    /** ONNX IR version 8 (ONNX 1.10+): what ONNX Runtime 1.21 reads with opset 17. */
    static final long IR_VERSION = 8;
    static final long OPSET = 17;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private int nodes;

    GraphBuilder(String name) {
        graph.setName(name);
    }

    /**
     * Declares a float32 input; a dimension given as a String is symbolic (such as the batch size).
     */
    GraphBuilder input(String name, Object... dims) {
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    /** Declares a float32 output. */
    GraphBuilder output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    /** Adds a float32 constant; returns its name, for use as a node input. */
    String constant(String name, long[] shape, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : shape) {
            tensor.addDims(d);
        }
        graph.addInitializer(tensor);
        return name;
    }

    /**
     * Adds a node with one output, named {@code output}.
     *
     * @param attributes name, value pairs: a Long/Integer is an INT, a Float a FLOAT, a long[] INTS
     * @return {@code output}
     */
    String node(String opType, String output, String[] inputs, Object... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder()
                .setOpType(opType)
                .setName(opType + "_" + (nodes++))
                .addOutput(output);
        for (String in : inputs) {
            node.addInput(in);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            node.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        graph.addNode(node);
        return output;
    }

    GraphBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The serialized {@code ModelProto}: what an {@code .onnx} file holds. */
    byte[] toBytes() {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("denseserve")
                .setModelVersion(1)
                .setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (value instanceof Integer || value instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
        } else if (value instanceof Float f) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (value instanceof long[] ints) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long v : ints) {
                a.addInts(v);
            }
        } else {
            throw new IllegalArgumentException("unsupported attribute " + name + ": " + value);
        }
        return a.build();
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String symbol) {
                dim.setDimParam(symbol);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }
}
