"""The libtorch plan's forward pass: any DenseNet, from the folded weights io.denseserve.torchscript.DenseNetModule writes.

This is the source. The service embeds its TorchScript form, src/main/resources/io/denseserve/torchscript/
densenet_plan_compiled.py, which this file writes when run with Debian's torch:

    /usr/bin/python3 src/main/python/densenet_plan.py src/main/resources/io/denseserve/torchscript/densenet_plan_compiled.py

(TorchScriptPlanTest checks that the two agree, and that Debian's torch computes what the service does
from an archive the service wrote.) The module runs as plain Python too: DenseNetPlan(...) with the
attributes below, then plan(images, False).

How the network is rewritten (all exact in real arithmetic; the folds are computed in Java):
- norm0 is folded into conv0 and every dense layer's norm2 into its conv1;
- every batch norm + ReLU that feeds a 1x1 convolution (norm1, a transition's norm, norm5 before the
  classifier) is one clamp with per-channel bounds folded into that convolution;
- each dense block allocates its output once and every layer writes its channels into the next slice,
  so no layer concatenates;
- the ImageNet stem's max pool runs as element-wise maxima of strided views, in place, after its ReLU
  (which makes zero padding the same as -inf); a transition pools before its convolution.
The stem and the head compute in float; the blocks in the weights' type (float or bfloat16).
"""
import sys
from typing import List

import torch


class DenseNetPlan(torch.nn.Module):
    imagenet_stem: bool
    stem: List[torch.Tensor]
    block_layers: List[int]
    block_inputs: List[int]
    growth: int
    lower1: List[torch.Tensor]
    upper1: List[torch.Tensor]
    weight1: List[torch.Tensor]
    bias1: List[torch.Tensor]
    weight2: List[torch.Tensor]
    transition_lower: List[torch.Tensor]
    transition_upper: List[torch.Tensor]
    transition_weight: List[torch.Tensor]
    transition_bias: List[torch.Tensor]
    classifier: List[torch.Tensor]
    norm5: List[torch.Tensor]

    def __init__(self, **attributes):
        super().__init__()
        for name in DenseNetPlan.__annotations__:
            setattr(self, name, attributes[name])

    def forward(self, images: torch.Tensor, features: bool) -> List[torch.Tensor]:
        """Logits, and with features also relu(norm5(x)), the maps the classifier pools."""
        x = self.stem_forward(images.contiguous(memory_format=torch.channels_last)).to(self.weight1[0].dtype)
        layer = 0
        for b in range(len(self.block_layers)):
            x = self.dense_block(x, b, layer)
            layer = layer + self.block_layers[b]
            if b < len(self.transition_weight):
                pooled = torch.nn.functional.avg_pool2d(torch.clamp(x, self.transition_lower[b], self.transition_upper[b]), [2, 2], [2, 2])
                x = torch.conv2d(pooled, self.transition_weight[b], self.transition_bias[b])
        x = x.to(torch.float32)
        clamped = torch.clamp(x, self.classifier[0], self.classifier[1])
        outputs = [torch.nn.functional.linear(torch.mean(clamped, [2, 3]), self.classifier[2], self.classifier[3])]
        if features:
            outputs.append(torch.relu(x * self.norm5[0] + self.norm5[1]).contiguous())
        return outputs

    def stem_forward(self, images: torch.Tensor) -> torch.Tensor:
        if not self.imagenet_stem:
            return torch.conv2d(images, self.stem[0], self.stem[1], [1, 1], [1, 1])
        x = torch.relu_(torch.conv2d(images, self.stem[0], self.stem[1], [2, 2], [3, 3]))
        return self.halve_max(self.halve_max(x, 2), 3)

    def halve_max(self, x: torch.Tensor, dim: int) -> torch.Tensor:
        """A 3-wide, stride-2 max pool along dim with padding 1, for inputs >= 0: in place on the even slices."""
        size = x.size(dim)
        evens = (size + 1) // 2
        even = torch.ops.aten.slice(x, dim, 0, size, 2)
        odd = torch.ops.aten.slice(x, dim, 1, size, 2)
        paired = even.narrow(dim, 0, size // 2)
        paired.copy_(torch.maximum(paired, odd))
        if evens > 1:
            after = even.narrow(dim, 1, evens - 1)
            after.copy_(torch.maximum(after, odd.narrow(dim, 0, evens - 1)))
        return even

    def dense_block(self, x: torch.Tensor, block: int, first_layer: int) -> torch.Tensor:
        inputs = self.block_inputs[block]
        layers = self.block_layers[block]
        shape = x.size()
        buffer = torch.empty([shape[0], inputs + self.growth * layers, shape[2], shape[3]], dtype=x.dtype,
                             device=x.device, memory_format=torch.channels_last)
        buffer.narrow(1, 0, inputs).copy_(x)
        for l in range(layers):
            k = first_layer + l
            written = inputs + self.growth * l
            seen = buffer.narrow(1, 0, written)
            bottleneck = torch.conv2d(torch.clamp(seen, self.lower1[k], self.upper1[k]), self.weight1[k], self.bias1[k])
            grown = torch.conv2d(torch.relu_(bottleneck), self.weight2[k], None, [1, 1], [1, 1])
            buffer.narrow(1, written, self.growth).copy_(grown)
        return buffer


def compiled_source() -> str:
    """The module's TorchScript source, as torch.jit.save writes it into code/__torch__.py."""
    import io
    import zipfile
    one = [torch.zeros(1)]
    plan = DenseNetPlan(imagenet_stem=True, stem=one, block_layers=[1], block_inputs=[1], growth=1, lower1=one,
                        upper1=one, weight1=one, bias1=one, weight2=one, transition_lower=one, transition_upper=one,
                        transition_weight=one, transition_bias=one, classifier=one, norm5=one)
    archive = io.BytesIO()
    torch.jit.save(torch.jit.script(plan), archive)
    with zipfile.ZipFile(archive) as z:
        return z.read(next(n for n in z.namelist() if n.endswith("/code/__torch__.py"))).decode("utf-8")


if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write(compiled_source())
