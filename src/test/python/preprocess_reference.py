#!/usr/bin/python3
"""Reference preprocessing for DenseServe's parity test: PIL + torchvision transforms on real photos.

For each image in Debian's python3-skimage data directory named below, writes OUT/<image>.safetensors
holding "rgb": Resize(256), CenterCrop(224), ToTensor, Normalize(ImageNet mean/std) of
image.convert("RGB"), and "gray": Resize(28), CenterCrop(28), ToTensor, Normalize(0.5, 0.25) of
image.convert("L"), as torchvision does it.

Usage: /usr/bin/python3 preprocess_reference.py OUT
"""
import os
import sys
from collections import OrderedDict

import skimage.data
import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchvision_fixtures import save_safetensors  # noqa: E402

IMAGES = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "camera.png",
          "hubble_deep_field.jpg", "green_palette.png", "motorcycle_left.png", "page.png", "logo.png"]

RGB = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                          transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
GRAY = transforms.Compose([transforms.Resize(28), transforms.CenterCrop(28), transforms.ToTensor(),
                           transforms.Normalize([0.5], [0.25])])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    data = os.path.dirname(skimage.data.__file__)
    for name in IMAGES:
        image = Image.open(os.path.join(data, name))
        save_safetensors(os.path.join(out, name + ".safetensors"),
                         OrderedDict(rgb=RGB(image.convert("RGB")), gray=GRAY(image.convert("L"))),
                         {"source": os.path.join(data, name), "mode": image.mode})
    with open(os.path.join(out, "COMPLETE"), "w") as f:
        f.write(data + "\n")


if __name__ == "__main__":
    main()
