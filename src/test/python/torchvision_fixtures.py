#!/usr/bin/python3
"""Writes torchvision conformance fixtures for DenseServe's Java tests.

For torchvision's densenet121/161/169/201 and a small DenseNet-BC (1 input channel, the
paper's small-image layout), this script builds the model with seeded random weights AND
randomised BatchNorm weights (mixed signs, some zero), biases and running statistics (default
statistics would hide a wrong BatchNorm; all-positive scales would hide a sign-dependent fold), then writes into OUT/<name>/:

  weights.safetensors   the state_dict, safetensors (written here from the format spec)
  weights.npz           the state_dict, numpy.savez
  weights.pth           torch.save, zip format (torch >= 1.6)
  weights-legacy.pth    torch.save(_use_new_zipfile_serialization=False), the pre-1.6 format
  weights-legacy-names.pth  (densenet121 only) legacy format AND torchvision's legacy key names
                        ("denselayer1.norm.1.weight"), as its published checkpoints have
  io.safetensors        inputs x0 (square batch of 8) and x1 (one non-square image), outputs y0, y1;
                        and for x0 the class activation map (Zhou et al. 2016) of each image's top
                        class, cam0 (N, h, w), with cam0_class (N,) and cam0_up (N, H, W): the maps
                        upsampled to the input by F.interpolate(bilinear, align_corners=False)

Run with Debian's interpreter: /usr/bin/python3 torchvision_fixtures.py OUT [name ...]
"""
import json
import os
import re
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.densenet import _DenseBlock, _Transition

torch.set_num_threads(2)

IMAGENET = {
    "densenet121": torchvision.models.densenet121,
    "densenet161": torchvision.models.densenet161,
    "densenet169": torchvision.models.densenet169,
    "densenet201": torchvision.models.densenet201,
}


class DenseNetBC(nn.Module):
    """The paper's DenseNet-BC for small images, under torchvision's module names."""

    def __init__(self, depth, growth_rate, in_channels, num_classes):
        super().__init__()
        layers = (depth - 4) // 6
        features = 2 * growth_rate
        modules = OrderedDict(
            conv0=nn.Conv2d(in_channels, features, kernel_size=3, padding=1, bias=False))
        for i in range(3):
            modules["denseblock%d" % (i + 1)] = _DenseBlock(
                layers, features, bn_size=4, growth_rate=growth_rate, drop_rate=0)
            features += layers * growth_rate
            if i != 2:
                modules["transition%d" % (i + 1)] = _Transition(features, features // 2)
                features //= 2
        modules["norm5"] = nn.BatchNorm2d(features)
        self.features = nn.Sequential(modules)
        self.classifier = nn.Linear(features, num_classes)

    def forward(self, x):
        out = F.relu(self.features(x))
        out = F.adaptive_avg_pool2d(out, (1, 1))
        return self.classifier(torch.flatten(out, 1))


# name -> (builder, square input shape, non-square input shape)
MODELS = {name: (builder, (8, 3, 64, 64), (1, 3, 72, 104)) for name, builder in IMAGENET.items()}
MODELS["bc-d16-k8-gray"] = (lambda: DenseNetBC(16, 8, 1, 10), (8, 1, 28, 28), (1, 1, 28, 36))


def randomise(model, seed):
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                # Mixed signs, as trained networks have: about 10% negative scales and 1% zero.
                m.weight.uniform_(0.5, 1.5)
                sign = torch.rand(m.num_features)
                m.weight[sign < 0.10] *= -1
                m.weight[sign > 0.99] = 0
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        elif isinstance(m, nn.Linear):
            with torch.no_grad():
                m.bias.normal_(0.0, 0.1)
    return model.eval()


def save_safetensors(path, tensors, metadata=None):
    """safetensors: u64 little-endian header length, JSON header, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


LEGACY = re.compile(r"(denselayer\d+\.)(norm|relu|conv)([12])\.")


def legacy_names(state_dict):
    """torchvision's published DenseNet checkpoints say norm.1 where the module is norm1."""
    return OrderedDict((LEGACY.sub(r"\1\2.\3.", k), v) for k, v in state_dict.items())


def write(out, name):
    builder, square, wide = MODELS[name]
    model = randomise(builder(), seed=sum(map(ord, name)))
    directory = os.path.join(out, name)
    os.makedirs(directory, exist_ok=True)
    gen = torch.Generator().manual_seed(7)
    x0 = torch.randn(square, generator=gen)
    x1 = torch.randn(wide, generator=gen)
    with torch.no_grad():
        # Scale the classifier so logits reach about 10: then the 1e-4 tolerance is a tight,
        # relative 1e-5 check for every model, the tiny BC one (logits ~0.2) included.
        scale = 10.0 / float(model(x0).abs().max())
        model.classifier.weight.mul_(scale)
        model.classifier.bias.mul_(scale)
    sd = model.state_dict()
    floats = OrderedDict((k, v) for k, v in sd.items() if v.is_floating_point())
    save_safetensors(os.path.join(directory, "weights.safetensors"), floats)
    np.savez(os.path.join(directory, "weights.npz"), **{k: v.numpy() for k, v in sd.items()})
    torch.save(sd, os.path.join(directory, "weights.pth"))
    torch.save(sd, os.path.join(directory, "weights-legacy.pth"), _use_new_zipfile_serialization=False)
    if name == "densenet121":
        torch.save(legacy_names(sd), os.path.join(directory, "weights-legacy-names.pth"),
                   _use_new_zipfile_serialization=False)
    with torch.no_grad():
        y0, y1 = model(x0), model(x1)
        features = F.relu(model.features(x0))
        top = y0.argmax(dim=1)
        cam = torch.einsum("nk,nkhw->nhw", model.classifier.weight[top], features)
        cam_up = F.interpolate(cam[:, None], size=x0.shape[2:], mode="bilinear", align_corners=False)[:, 0]
    save_safetensors(os.path.join(directory, "io.safetensors"),
                     OrderedDict(x0=x0, y0=y0, x1=x1, y1=y1, cam0=cam, cam0_class=top.float(), cam0_up=cam_up),
                     {"torch": torch.__version__, "torchvision": torchvision.__version__})
    params = sum(p.numel() for p in model.parameters())
    print("%s: %d parameters, |y0|max=%.3f, written to %s" % (name, params, y0.abs().max(), directory))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for name in sys.argv[2:] or MODELS:
        write(out, name)
    with open(os.path.join(out, "COMPLETE"), "w") as f:
        f.write("torch %s torchvision %s\n" % (torch.__version__, torchvision.__version__))


if __name__ == "__main__":
    main()
