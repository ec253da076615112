#!/usr/bin/python3
"""Forward-pass benchmark helpers on the torchvision side (Debian's python3-torchvision).

  forward_torch.py export OUT_DIR        writes densenet121 with seeded random weights as
                                         OUT_DIR/densenet121.pth and the same network traced to
                                         TorchScript as OUT_DIR/densenet121.torchscript.pt
  forward_torch.py eager WEIGHTS BATCH N  prints RESULT,torchvision-eager,BATCH,img/s,peakRSS-MiB
"""
import resource
import statistics
import sys
import time

import torch
import torchvision

torch.set_num_threads(2)


def export(out):
    torch.manual_seed(0)
    model = torchvision.models.densenet121().eval()
    torch.save(model.state_dict(), out + "/densenet121.pth")
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.randn(1, 3, 224, 224))
    traced.save(out + "/densenet121.torchscript.pt")


def eager(weights, batch, iterations):
    model = torchvision.models.densenet121()
    model.load_state_dict(torch.load(weights))
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(-(15 if batch == 1 else 4), iterations):
            x = torch.randn(batch, 3, 224, 224)
            start = time.perf_counter()
            model(x)
            if i >= 0:
                times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("RESULT,torchvision-eager,%d,%.2f,%d" % (batch, batch / statistics.median(times), peak))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        eager(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
