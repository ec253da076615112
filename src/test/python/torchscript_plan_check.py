"""Runs a TorchScript archive the service wrote (io.denseserve.torchscript.DenseNetModule) in Debian's torch,
as loaded and as the readable module src/main/python/densenet_plan.py run eagerly with the archive's attributes.

Usage: torchscript_plan_check.py ARCHIVE IMAGES N C H W OUT_LOADED OUT_EAGER
IMAGES holds N*C*H*W little-endian float32 values; each OUT file gets the logits, N*classes float32 values.
"""
import importlib.util
import sys

import numpy as np
import torch

archive, images, n, c, h, w, out_loaded, out_eager = sys.argv[1:]
torch.set_num_threads(2)
x = torch.from_numpy(np.fromfile(images, dtype="<f4").reshape(int(n), int(c), int(h), int(w)))
loaded = torch.jit.load(archive)
spec = importlib.util.spec_from_file_location("densenet_plan", "src/main/python/densenet_plan.py")
source = importlib.util.module_from_spec(spec)
spec.loader.exec_module(source)
eager = source.DenseNetPlan(**{name: getattr(loaded, name) for name in source.DenseNetPlan.__annotations__})
with torch.no_grad():
    loaded(x, False)[0].numpy().astype("<f4").tofile(out_loaded)
    eager(x.clone(), False)[0].numpy().astype("<f4").tofile(out_eager)
