#!/usr/bin/python3
"""Weights shaped like a trained DenseNet's, for benchmarks and conformance tests.

torchvision's initial weights have every BatchNorm at scale 1, shift 0, mean 0, variance 1: then
every BN fold is trivially exact and every "all scales positive" fast path applies, which a trained
checkpoint never gives. This sets, seeded, per BatchNorm:
  weight (gamma)   |N(0.35, 0.2)| with about 4% of the channels negated (trained DenseNets have a
                   few negative scales in most layers)
  bias (beta)      N(0, 0.25)
  running_mean     N(0, 0.4)
  running_var      log-normal around 0.25 (exp(N(ln 0.25, 0.6)))
Convolutions keep torchvision's Kaiming initialisation; the classifier is N(0, 0.02) per weight.
  trained_like.py densenet121 OUT.pth [SEED]
"""
import sys

import torch
import torchvision


def apply(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                gamma = (0.35 + 0.2 * torch.randn(c, generator=g)).abs()
                flip = torch.rand(c, generator=g) < 0.04
                gamma[flip] = -gamma[flip]
                m.weight.copy_(gamma)
                m.bias.copy_(0.25 * torch.randn(c, generator=g))
                m.running_mean.copy_(0.4 * torch.randn(c, generator=g))
                m.running_var.copy_(torch.exp(torch.log(torch.tensor(0.25)) + 0.6 * torch.randn(c, generator=g)))
            elif isinstance(m, torch.nn.Linear):
                m.weight.copy_(0.02 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.01 * torch.randn(m.bias.shape, generator=g))
    return model


def densenet(name, seed=0):
    torch.manual_seed(seed)
    return apply(getattr(torchvision.models, name)(), seed).eval()


if __name__ == "__main__":
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    torch.save(densenet(sys.argv[1], seed).state_dict(), sys.argv[2])
