#!/usr/bin/env python3
"""Measures a running DenseServe's top-1 accuracy on the Fashion-MNIST test set through HTTP.

Every one of the 10,000 test images (Debian's dataset-fashion-mnist idx files) is encoded as a
28x28 grayscale PNG and sent to POST /classify as image/png, with a few requests in flight at once;
the top-1 label is compared with the true class. Standard library only.

  scripts/evaluate_http.py [--url http://localhost:8080] [--limit N] [--concurrency 4]

Prints accuracy, per-class accuracy and the confusion matrix (rows: truth, columns: prediction).
"""
import argparse
import concurrent.futures
import gzip
import json
import struct
import time
import urllib.error
import urllib.request
import zlib

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def png_gray(pixels, width, height):
    """A minimal 8-bit grayscale PNG: signature, IHDR, one zlib IDAT, IEND."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def classify(url, png):
    request = urllib.request.Request(url + "/classify?topK=1", data=png, headers={"Content-Type": "image/png"})
    for attempt in range(20):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)["top1"]["index"]
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise
            time.sleep(0.2 * (attempt + 1))  # overloaded: honour Retry-After-style backoff
    raise RuntimeError("still overloaded after 20 tries")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--limit", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    (n, h, w), images = idx(DATA + "/t10k-images-idx3-ubyte.gz")
    _, labels = idx(DATA + "/t10k-labels-idx1-ubyte.gz")
    n = min(n, args.limit)
    pngs = [png_gray(images[i * h * w:(i + 1) * h * w], w, h) for i in range(n)]
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        predictions = list(pool.map(lambda png: classify(args.url, png), pngs))
    seconds = time.time() - start
    confusion = [[0] * 10 for _ in range(10)]
    for i, p in enumerate(predictions):
        confusion[labels[i]][p] += 1
    correct = sum(confusion[c][c] for c in range(10))
    print("top-1 accuracy through POST /classify: %.4f (%d / %d), %.1f s, %.0f images/s"
          % (correct / n, correct, n, seconds, n / seconds))
    for c in range(10):
        total = sum(confusion[c])
        print("  %-12s %.4f" % (CLASSES[c], confusion[c][c] / total if total else 0))
    print("confusion matrix (rows: truth, columns: prediction):")
    for c in range(10):
        print("  " + " ".join("%4d" % v for v in confusion[c]))


if __name__ == "__main__":
    main()
