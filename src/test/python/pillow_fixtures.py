"""Writes the committed Pillow fixtures the preprocessing tests compare against, so that resizing,
EXIF orientation and ICC handling are checked on machines without Pillow. Run with Debian's
python3-pil (and python3-skimage for the ICC profile) and commit the result:

    /usr/bin/python3 src/test/python/pillow_fixtures.py src/test/resources/io/denseserve/preprocess/pillow
"""
import io
import random
import sys
from pathlib import Path

from PIL import Image, ImageOps

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(7)


def texture(mode, width, height):
    """Gradients plus seeded noise: every resampling tap matters, no flat regions."""
    channels = 3 if mode == "RGB" else 1
    data = bytearray()
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                data.append((x * 5 + y * 3 + c * 70 + rng.randrange(64)) % 256)
    return Image.frombytes(mode, (width, height), bytes(data))


# Resizing: Image.resize with BILINEAR, as torchvision's Resize does on PIL images.
for mode, (w, h), sizes in [
    ("RGB", (61, 47), [(23, 19), (128, 98), (61, 20), (30, 47), (150, 116)]),
    ("L", (53, 71), [(28, 28), (100, 134), (7, 9)]),
]:
    src = texture(mode, w, h)
    name = mode.lower()
    src.save(out / f"resize-{name}-source.png")
    for ow, oh in sizes:
        src.resize((ow, oh), Image.BILINEAR).save(out / f"resize-{name}-{ow}x{oh}.png")

# EXIF orientation: four solid quadrants stored with each orientation tag, and what
# ImageOps.exif_transpose makes of them.
quadrants = Image.new("RGB", (48, 32))
for (x0, y0, colour) in [(0, 0, (220, 30, 30)), (24, 0, (30, 200, 40)), (0, 16, (40, 60, 220)), (24, 16, (240, 220, 40))]:
    quadrants.paste(colour, (x0, y0, x0 + 24, y0 + 16))
for orientation in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    quadrants.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    (out / f"exif-{orientation}.jpg").write_bytes(buffer.getvalue())
    ImageOps.exif_transpose(Image.open(io.BytesIO(buffer.getvalue()))).convert("RGB").save(out / f"exif-{orientation}-pillow.png")

# An embedded ICC profile, which Pillow does not apply: skimage's rocket.jpg's profile on a small
# crop of it, and Pillow's pixels for that JPEG.
rocket = Image.open("/usr/lib/python3/dist-packages/skimage/data/rocket.jpg")
crop = rocket.crop((200, 100, 264, 148))
buffer = io.BytesIO()
crop.save(buffer, "JPEG", quality=92, icc_profile=rocket.info["icc_profile"])
(out / "icc.jpg").write_bytes(buffer.getvalue())
Image.open(io.BytesIO(buffer.getvalue())).convert("RGB").save(out / "icc-pillow.png")
