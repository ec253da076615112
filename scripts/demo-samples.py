#!/usr/bin/python3
"""Writes the demo page's sample images: the first image of each class among Fashion-MNIST's 10,000
test images (Debian's dataset-fashion-mnist, MIT licence), as 28x28 grayscale PNGs named by class
index, into src/main/resources/static/samples/, with index.json naming their classes (the embedded
model's labels): the page offers them for a model with exactly those classes."""
import gzip
import json
import pathlib

from PIL import Image

DATA = pathlib.Path("/usr/share/datasets/fashion-mnist")
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "src/main/resources/static/samples"
LABELS = json.loads((ROOT / "src/main/resources/io/denseserve/default-model/manifest.json").read_text())["labels"]

images = gzip.open(DATA / "t10k-images-idx3-ubyte.gz").read()[16:]
labels = gzip.open(DATA / "t10k-labels-idx1-ubyte.gz").read()[8:]
OUT.mkdir(parents=True, exist_ok=True)
for c in range(10):
    i = labels.index(c)
    Image.frombytes("L", (28, 28), images[i * 784:(i + 1) * 784]).save(OUT / f"fashion-mnist-{c}.png", optimize=True)
(OUT / "index.json").write_text(json.dumps({
    "source": "Fashion-MNIST test set, the first image of each class",
    "labels": LABELS,
    "images": [{"file": f"fashion-mnist-{c}.png", "label": LABELS[c]} for c in range(10)],
}, indent=1) + "\n")
