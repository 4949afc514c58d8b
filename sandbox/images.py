"""Deterministic product pictures and a perceptual hash (dHash) for image search.

Offers of one image family share a composition; each variant shifts it a little, so offers
of a family are near-duplicates of each other and different families look different.
"""

import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw, ImageEnhance

PALETTE = [
    (230, 57, 70), (29, 53, 87), (69, 123, 157), (244, 162, 97), (42, 157, 143), (233, 196, 106),
    (38, 70, 83), (231, 111, 81), (106, 76, 147), (255, 202, 58), (138, 201, 38), (25, 130, 196),
]  # fmt: skip


# A variant number carries how the picture was made: variant % 10 is the photo (a shot of the composition),
# (variant // 10) % 10 what a reseller did to it (RESELLER_EDITS), variant // 100 a look-alike product of the line:
# 1-6 the same shape in another colour, 9 a similar shape (sandbox/catalog.py makes the same-item truth).
RESELLER_EDITS = ("none", "crop", "colour grade", "watermark", "background", "crop and watermark", "zoomed out")
OTHER_SHAPE = 9


def render(family: int, variant: int = 0, size: int = 256) -> Image.Image:
    """The picture of (family, variant) at `size` pixels square."""
    shot, edit, look = variant % 10, (variant // 10) % 10, variant // 100
    image = _compose(family, shot, size, other_shape=look == OTHER_SHAPE)
    if 1 <= look <= 6:
        image = _hue_shift(image, 50 + (look - 1) * 30)
    return _edit(image, edit, family, size) if edit else image


def _compose(family: int, variant: int, size: int, *, other_shape: bool = False) -> Image.Image:
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
        round_one = base.random() < 0.5
        if other_shape:  # a similar product: the same palette and layout, other forms, the first part moved
            round_one = not round_one
            if _ < 2:
                box = [box[0] + size * 0.2, box[1] + size * 0.18, box[2] + size * 0.25, box[3] + size * 0.1]
        if round_one:
            draw.ellipse(box, fill=shade)
        else:
            draw.rectangle(box, fill=shade)
    if other_shape:  # and it faces the other way
        draw.ellipse([size * 0.3, size * 0.25, size * 0.7, size * 0.6], fill=base.choice(PALETTE))
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return image


def _hue_shift(image: Image.Image, shift: int) -> Image.Image:
    h, s, v = image.convert("HSV").split()
    return Image.merge("HSV", (h.point(lambda x: (x + shift) % 256), s, v)).convert("RGB")


def _edit(image: Image.Image, edit: int, family: int, size: int) -> Image.Image:
    """What a reseller does to a supplier's photo before listing it again."""
    name = RESELLER_EDITS[edit % len(RESELLER_EDITS)]
    rng = random.Random(family * 131 + edit)
    if name in ("crop", "crop and watermark"):
        left, top = rng.uniform(0.02, 0.05) * size, rng.uniform(0.02, 0.05) * size
        right, bottom = size - rng.uniform(0.02, 0.05) * size, size - rng.uniform(0.02, 0.05) * size
        image = image.crop((int(left), int(top), int(right), int(bottom))).resize((size, size))
    if name == "colour grade":
        image = ImageEnhance.Contrast(ImageEnhance.Brightness(image).enhance(1.12)).enhance(0.9)
    if name in ("watermark", "crop and watermark"):
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        draw.rectangle([size * 0.55, size * 0.88, size * 0.97, size * 0.97], fill=(255, 255, 255, 150))
        draw.text((size * 0.57, size * 0.89), "SHOP 1688", fill=(120, 120, 120, 200))
        image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    if name == "background":
        ImageDraw.floodfill(image, (0, 0), (248, 248, 248))  # the studio background swapped for white
    if name == "zoomed out":
        canvas = Image.new("RGB", (size, size), (250, 250, 250))
        inner = int(size * 0.93)
        canvas.paste(image.resize((inner, inner)), ((size - inner) // 2, (size - inner) // 2))
        image = canvas
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


# --- The rest of an offer's pictures: option pictures, the description's detail images, the video ---
def option_render(family: int, option: int, size: int = 256) -> Image.Image:
    """The family's picture in another colour: what an option (红色, 蓝色 …) looks like."""
    hsv = render(family, 0, size).convert("HSV")
    h, s, v = hsv.split()
    shift = (option * 47) % 256
    h = h.point(lambda x: (x + shift) % 256)
    return Image.merge("HSV", (h, s, v)).convert("RGB")


def detail_render(family: int, part: int, width: int = 750) -> Image.Image:
    """A detail image of the description (750 px wide, as 1688's detail images are): the product large on a
    band of its colour, or its options side by side."""
    height = width * 2 // 3
    base = random.Random(family * 7919 + 17)
    band = base.choice(PALETTE)
    image = Image.new("RGB", (width, height), tuple(min(255, c + 185) for c in band))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height - height // 8, width, height], fill=band)
    if part % 2 == 0:
        side = height * 3 // 4
        image.paste(option_render(family, part // 2, side), ((width - side) // 2, height // 24))
    else:
        side = (width - 80) // 3
        for i in range(3):
            image.paste(option_render(family, part + i, side), (20 + i * (side + 20), (height - side) // 2 - 10))
    return image


@lru_cache(maxsize=256)
def option_png(family: int, option: int) -> bytes:
    buffer = io.BytesIO()
    option_render(family, option).save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=128)
def detail_png(family: int, part: int) -> bytes:
    buffer = io.BytesIO()
    detail_render(family, part).save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=32)
def video_gif(family: int) -> bytes:
    """The sandbox's stand-in for an offer's video: the product turning through its colours (an animated GIF)."""
    frames = [option_render(family, n, 240) for n in range(6)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=600, loop=0)
    return buffer.getvalue()
