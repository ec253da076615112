"""An Open Inference Protocol gRPC client written with Debian's python3-grpcio, its stubs generated
here from the service's .proto by python3-grpc-tools: the flow a Triton or KServe user runs.

Usage: grpc_client.py PORT MODEL PROTO IMAGE...   Prints one JSON object with what it got.
"""
import json
import os
import struct
import sys
import tempfile

import grpc
from grpc_tools import protoc

port, model, proto, images = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
stubs = tempfile.mkdtemp()
include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
if protoc.main(["protoc", "-I" + os.path.dirname(os.path.abspath(proto)), "-I" + include,
                "--python_out=" + stubs, "--grpc_python_out=" + stubs, os.path.abspath(proto)]) != 0:
    sys.exit("protoc failed")
sys.path.insert(0, stubs)
name = os.path.splitext(os.path.basename(proto))[0]
messages = __import__(name + "_pb2")
services = __import__(name + "_pb2_grpc")

channel = grpc.insecure_channel("localhost:" + port)
stub = services.GRPCInferenceServiceStub(channel)
out = {
    "live": stub.ServerLive(messages.ServerLiveRequest()).live,
    "ready": stub.ServerReady(messages.ServerReadyRequest()).ready,
    "extensions": list(stub.ServerMetadata(messages.ServerMetadataRequest()).extensions),
    "model_ready": stub.ModelReady(messages.ModelReadyRequest(name=model)).ready,
    "inputs": [t.datatype for t in stub.ModelMetadata(messages.ModelMetadataRequest(name=model)).inputs],
}

raw = b"".join(struct.pack("<I", len(data)) + data for data in (open(p, "rb").read() for p in images))
request = messages.ModelInferRequest(model_name=model, id="py-1")
request.inputs.add(name="image", datatype="BYTES", shape=[len(images)])
request.raw_input_contents.append(raw)
request.outputs.add(name="probabilities").parameters["classification"].int64_param = 5
response = stub.ModelInfer(request, timeout=30)
strings, data = [], response.raw_output_contents[0]
while data:
    (length,) = struct.unpack("<I", data[:4])
    strings.append(data[4:4 + length].decode("utf-8"))
    data = data[4 + length:]
out["id"] = response.id
out["shape"] = list(response.outputs[0].shape)
out["classification"] = strings

tensor = messages.ModelInferRequest(model_name=model)
tensor.inputs.add(name="input", datatype="FP32", shape=[1, 1, 28, 28]).contents.fp32_contents.extend([0.5] * 784)
values = stub.ModelInfer(tensor, timeout=30).raw_output_contents[0]
out["tensor_probabilities"] = list(struct.unpack("<10f", values))


def code(call):
    try:
        call()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


bad = messages.ModelInferRequest(model_name=model)
bad.inputs.add(name="image", datatype="BYTES", shape=[1])
bad.raw_input_contents.append(struct.pack("<I", 5) + b"hello")
out["not_an_image"] = code(lambda: stub.ModelInfer(bad, timeout=30))
bad.model_name = "no-such-model"
out["unknown_model"] = code(lambda: stub.ModelInfer(bad, timeout=30))
print(json.dumps(out))
