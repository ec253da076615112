#!/usr/bin/python3
"""How far torch's own bfloat16 moves this DenseNet-121's logits from fp32 on the photos.

The yardstick for Bf16AgreementTest: the conformance fixture (mixed-sign batch norms) run by
torchvision, once in fp32 and once with the feature extractor in bfloat16 and the head (ReLU,
average pool, classifier) in fp32, which is how the service's bf16 plan splits the work. Prints,
per photo, the fp32 logit range and the largest |bf16 - fp32| difference, absolute and as a
fraction of that range. Reads the fixtures the tests generate (run the tests once first):
  /usr/bin/python3 bench/torch_bf16_deviation.py [target]
"""
import glob
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        values = np.frombuffer(body[start:end], dtype=np.float32).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(values.copy())
    return tensors


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "target"
    torch.set_num_threads(2)
    weights = read_safetensors(os.path.join(target, "torchvision-fixtures/densenet121/weights.safetensors"))
    model = torchvision.models.densenet121()
    model.load_state_dict(weights)
    model.eval()
    features_bf16 = torchvision.models.densenet121().features
    features_bf16.load_state_dict(model.features.state_dict())
    features_bf16.eval().to(torch.bfloat16)
    print("photo,fp32 logit range,max |bf16 - fp32|,fraction of range")
    for path in sorted(glob.glob(os.path.join(target, "preprocess-reference/*.safetensors"))):
        x = read_safetensors(path)["rgb"].reshape(1, 3, 224, 224)
        with torch.no_grad():
            fp32 = model(x)[0]
            features = torch.relu(features_bf16(x.to(torch.bfloat16)).float())
            bf16 = model.classifier(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(features, 1), 1))[0]
        spread = (fp32.max() - fp32.min()).item()
        worst = (fp32 - bf16).abs().max().item()
        print("%s,%.3f,%.4f,%.4f" % (os.path.basename(path).replace(".safetensors", ""), spread, worst, worst / spread))


if __name__ == "__main__":
    main()
