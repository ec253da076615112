class DenseNetPlan(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  imagenet_stem : bool
  stem : List[Tensor]
  block_layers : List[int]
  block_inputs : List[int]
  growth : int
  lower1 : List[Tensor]
  upper1 : List[Tensor]
  weight1 : List[Tensor]
  bias1 : List[Tensor]
  weight2 : List[Tensor]
  transition_lower : List[Tensor]
  transition_upper : List[Tensor]
  transition_weight : List[Tensor]
  transition_bias : List[Tensor]
  classifier : List[Tensor]
  norm5 : List[Tensor]
  def forward(self: __torch__.DenseNetPlan,
    images: Tensor,
    features: bool) -> List[Tensor]:
    x = torch.to(self.stem_forward(torch.contiguous(images, memory_format=2)), ops.prim.dtype(self.weight1[0]))
    layer = 0
    for b in range(torch.len(self.block_layers)):
      x = self.dense_block(x, b, layer)
      layer = layer + self.block_layers[b]
      if b < torch.len(self.transition_weight):
        pooled = torch.avg_pool2d(torch.clamp(x, self.transition_lower[b], self.transition_upper[b]), [2, 2], [2, 2])
        x = torch.conv2d(pooled, self.transition_weight[b], self.transition_bias[b])
    x = torch.to(x, 6)
    clamped = torch.clamp(x, self.classifier[0], self.classifier[1])
    outputs = [torch.linear(torch.mean(clamped, [2, 3]), self.classifier[2], self.classifier[3])]
    if features:
      outputs.append(torch.contiguous(torch.relu(torch.add(torch.mul(x, self.norm5[0]), self.norm5[1]))))
    return outputs
  def stem_forward(self: __torch__.DenseNetPlan,
    images: Tensor) -> Tensor:
    if not self.imagenet_stem:
      return torch.conv2d(images, self.stem[0], self.stem[1], [1, 1], [1, 1])
    x = torch.relu_(torch.conv2d(images, self.stem[0], self.stem[1], [2, 2], [3, 3]))
    return self.halve_max(self.halve_max(x, 2), 3)
  def halve_max(self: __torch__.DenseNetPlan,
    x: Tensor,
    dim: int) -> Tensor:
    size = torch.size(x, dim)
    evens = (size + 1) // 2
    even = torch.slice(x, dim, 0, size, 2)
    odd = torch.slice(x, dim, 1, size, 2)
    paired = torch.narrow(even, dim, 0, size // 2)
    torch.copy_(paired, torch.maximum(paired, odd))
    if evens > 1:
      after = torch.narrow(even, dim, 1, evens - 1)
      torch.copy_(after, torch.maximum(after, torch.narrow(odd, dim, 0, evens - 1)))
    return even
  def dense_block(self: __torch__.DenseNetPlan,
    x: Tensor,
    block: int,
    first_layer: int) -> Tensor:
    inputs = self.block_inputs[block]
    layers = self.block_layers[block]
    shape = torch.size(x)
    buffer = torch.empty([shape[0], inputs + self.growth * layers, shape[2], shape[3]], dtype=ops.prim.dtype(x), layout=None, device=ops.prim.device(x), pin_memory=None, memory_format=2)
    torch.copy_(torch.narrow(buffer, 1, 0, inputs), x)
    for l in range(layers):
      k = first_layer + l
      written = inputs + self.growth * l
      seen = torch.narrow(buffer, 1, 0, written)
      bottleneck = torch.conv2d(torch.clamp(seen, self.lower1[k], self.upper1[k]), self.weight1[k], self.bias1[k])
      grown = torch.conv2d(torch.relu_(bottleneck), self.weight2[k], None, [1, 1], [1, 1])
      torch.copy_(torch.narrow(buffer, 1, written, self.growth), grown)
    return buffer
