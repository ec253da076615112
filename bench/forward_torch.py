#!/usr/bin/python3
"""Forward-pass benchmark helpers on the torchvision side (Debian's python3-torchvision).

  forward_torch.py export OUT_DIR        writes densenet121 with trained-like weights
                                         (bench/trained_like.py, seed 0) as OUT_DIR/densenet121.pth,
                                         the same network traced to TorchScript
                                         (densenet121.torchscript.pt) and exported by torch.onnx
                                         at opset 13 and at opset 17
                                         (densenet121.torchvision-opset13.onnx, -opset17.onnx,
                                         dynamic batch), and
                                         torchvision's initial weights (every BN the identity) as
                                         OUT_DIR/densenet121-initial.pth
  forward_torch.py eager WEIGHTS BATCH N  prints RESULT,torchvision-eager,BATCH,img/s,peakRSS-MiB
  forward_torch.py frozen WEIGHTS BATCH N prints the same for
                                         torch.jit.optimize_for_inference(torch.jit.freeze(trace))
"""
import os
import resource
import statistics
import sys
import time

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trained_like  # noqa: E402

torch.set_num_threads(2)


def export(out):
    model = trained_like.densenet("densenet121", seed=0)
    torch.save(model.state_dict(), out + "/densenet121.pth")
    example = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    traced.save(out + "/densenet121.torchscript.pt")
    for opset in (13, 17):
        torch.onnx.export(model, example, "%s/densenet121.torchvision-opset%d.onnx" % (out, opset),
                          opset_version=opset, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    torch.manual_seed(0)
    torch.save(torchvision.models.densenet121().state_dict(), out + "/densenet121-initial.pth")


def load(weights):
    model = torchvision.models.densenet121()
    model.load_state_dict(torch.load(weights))
    return model.eval()


def timed(label, model, batch, iterations):
    times = []
    with torch.no_grad():
        for i in range(-(15 if batch == 1 else 4), iterations):
            x = torch.randn(batch, 3, 224, 224)
            start = time.perf_counter()
            model(x)
            if i >= 0:
                times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("RESULT,%s,%d,%.2f,%d" % (label, batch, batch / statistics.median(times), peak))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        mode, weights, batch, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        model = load(weights)
        if mode == "frozen":
            with torch.no_grad():
                model = torch.jit.optimize_for_inference(torch.jit.freeze(
                    torch.jit.trace(model, torch.randn(batch, 3, 224, 224))))
        timed("torchvision-" + mode, model, batch, n)
