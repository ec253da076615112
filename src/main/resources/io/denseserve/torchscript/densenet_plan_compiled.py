class DenseNetPlan(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
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
    _0 = torch.contiguous(images, memory_format=2)
    _1 = (self).stem_forward(_0, )
    weight1 = self.weight1
    x = torch.to(_1, ops.prim.dtype(weight1[0]))
    block_layers = self.block_layers
    x0 = x
    layer = 0
    for b in range(torch.len(block_layers)):
      x1 = (self).dense_block(x0, b, layer, )
      block_layers0 = self.block_layers
      layer0 = torch.add(layer, block_layers0[b])
      transition_weight = self.transition_weight
      _2 = torch.lt(b, torch.len(transition_weight))
      if _2:
        transition_lower = self.transition_lower
        _3 = transition_lower[b]
        transition_upper = self.transition_upper
        _4 = torch.clamp(x1, _3, transition_upper[b])
        pooled = torch.avg_pool2d(_4, [2, 2], [2, 2])
        transition_weight0 = self.transition_weight
        _5 = transition_weight0[b]
        transition_bias = self.transition_bias
        x3 = torch.conv2d(pooled, _5, transition_bias[b])
        x2 = x3
      else:
        x2 = x1
      x0, layer = x2, layer0
    x4 = torch.to(x0, 6)
    classifier = self.classifier
    _6 = classifier[0]
    classifier0 = self.classifier
    clamped = torch.clamp(x4, _6, classifier0[1])
    _7 = torch.mean(clamped, [2, 3])
    classifier1 = self.classifier
    _8 = classifier1[2]
    classifier2 = self.classifier
    _9 = torch.linear(_7, _8, classifier2[3])
    outputs = [_9]
    if features:
      norm5 = self.norm5
      _10 = torch.mul(x4, norm5[0])
      norm50 = self.norm5
      _11 = torch.relu(torch.add(_10, norm50[1]))
      _12 = torch.append(outputs, torch.contiguous(_11))
    else:
      pass
    return outputs
  def stem_forward(self: __torch__.DenseNetPlan,
    images: Tensor) -> Tensor:
    imagenet_stem = self.imagenet_stem
    if torch.__not__(imagenet_stem):
      stem = self.stem
      _14 = stem[0]
      stem0 = self.stem
      _15 = torch.conv2d(images, _14, stem0[1], [1, 1], [1, 1])
      _13 = _15
    else:
      stem1 = self.stem
      _16 = stem1[0]
      stem2 = self.stem
      _17 = torch.conv2d(images, _16, stem2[1], [2, 2], [3, 3])
      x = torch.relu_(_17)
      _18 = (self).halve_max((self).halve_max(x, 2, ), 3, )
      _13 = _18
    return _13
  def halve_max(self: __torch__.DenseNetPlan,
    x: Tensor,
    dim: int) -> Tensor:
    size = torch.size(x, dim)
    evens = torch.floordiv(torch.add(size, 1), 2)
    even = torch.slice(x, dim, 0, size, 2)
    odd = torch.slice(x, dim, 1, size, 2)
    paired = torch.narrow(even, dim, 0, torch.floordiv(size, 2))
    _19 = torch.copy_(paired, torch.maximum(paired, odd))
    if torch.gt(evens, 1):
      after = torch.narrow(even, dim, 1, torch.sub(evens, 1))
      _20 = torch.narrow(odd, dim, 0, torch.sub(evens, 1))
      _21 = torch.copy_(after, torch.maximum(after, _20))
    else:
      pass
    return even
  def dense_block(self: __torch__.DenseNetPlan,
    x: Tensor,
    block: int,
    first_layer: int) -> Tensor:
    block_inputs = self.block_inputs
    inputs = block_inputs[block]
    block_layers = self.block_layers
    layers = block_layers[block]
    shape = torch.size(x)
    _22 = shape[0]
    growth = self.growth
    _23 = torch.add(inputs, torch.mul(growth, layers))
    buffer = torch.empty([_22, _23, shape[2], shape[3]], dtype=ops.prim.dtype(x), layout=None, device=ops.prim.device(x), pin_memory=None, memory_format=2)
    _24 = torch.copy_(torch.narrow(buffer, 1, 0, inputs), x)
    for l in range(layers):
      k = torch.add(first_layer, l)
      growth0 = self.growth
      written = torch.add(inputs, torch.mul(growth0, l))
      seen = torch.narrow(buffer, 1, 0, written)
      lower1 = self.lower1
      _25 = lower1[k]
      upper1 = self.upper1
      _26 = torch.clamp(seen, _25, upper1[k])
      weight1 = self.weight1
      _27 = weight1[k]
      bias1 = self.bias1
      bottleneck = torch.conv2d(_26, _27, bias1[k])
      _28 = torch.relu_(bottleneck)
      weight2 = self.weight2
      grown = torch.conv2d(_28, weight2[k], None, [1, 1], [1, 1])
      growth1 = self.growth
      _29 = torch.narrow(buffer, 1, written, growth1)
      _30 = torch.copy_(_29, grown)
    return buffer
