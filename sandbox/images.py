"""Deterministic product pictures and a perceptual hash (dHash) for image search.

Offers of one image family share a composition; each variant shifts it a little, so offers
of a family are near-duplicates of each other and different families look different.
"""

import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw

PALETTE = [
    (230, 57, 70), (29, 53, 87), (69, 123, 157), (244, 162, 97), (42, 157, 143), (233, 196, 106),
    (38, 70, 83), (231, 111, 81), (106, 76, 147), (255, 202, 58), (138, 201, 38), (25, 130, 196),
]  # fmt: skip


def render(family: int, variant: int = 0, size: int = 256) -> Image.Image:
    """The picture of (family, variant) at `size` pixels square."""
    base = random.Random(family * 7919 + 17)
    jitter = random.Random(family * 104729 + variant * 31 + 5)
    background = tuple(min(255, c + 150) for c in base.choice(PALETTE))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    for _ in range(base.randint(3, 5)):
        color = base.choice(PALETTE)
        x0, y0 = base.uniform(0, 0.7), base.uniform(0, 0.7)
        w, h = base.uniform(0.15, 0.5), base.uniform(0.15, 0.5)
        dx, dy = jitter.uniform(-0.03, 0.03), jitter.uniform(-0.03, 0.03)
        box = [(x0 + dx) * size, (y0 + dy) * size, (x0 + dx + w) * size, (y0 + dy + h) * size]
        shade = tuple(max(0, min(255, c + jitter.randint(-12, 12))) for c in color)
        if base.random() < 0.5:
            draw.ellipse(box, fill=shade)
        else:
            draw.rectangle(box, fill=shade)
    return image


def dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def hash_of(family: int, variant: int) -> str:
    return dhash(render(family, variant, size=64))


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@lru_cache(maxsize=512)
def png_bytes(family: int, variant: int) -> bytes:
    buffer = io.BytesIO()
    render(family, variant).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def hash_of_upload(data: bytes) -> str:
    """dHash of an uploaded picture; raises ValueError when it is not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return dhash(image)
    except Exception as error:  # Pillow raises many types for bad input
        raise ValueError(f"not an image: {error}") from None
