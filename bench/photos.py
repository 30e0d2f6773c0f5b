"""Photo-like test images: what an essayist's camera or a WordPress upload folder holds.

Smooth gradients, a few soft shapes and sensor-like noise, so JPEG and WebP compress them as
they compress photographs (a flat-colour image would flatter every encoder).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter


def photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """Return an RGB image ``width`` × ``height`` that compresses like a photograph."""
    rng = random.Random(seed)
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(20, 200) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
    )
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(width // 20, width // 4)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(radius=max(2, width // 150)))
    # Texture at several scales, as in foliage, fabric or stone: detail that survives resizing.
    for scale, weight in ((12, 0.25), (5, 0.2), (2, 0.15), (1, 0.08)):
        size = (max(1, width // scale), max(1, height // scale))
        channels = [Image.effect_noise(size, 70).resize((width, height)) for _ in range(3)]
        image = Image.blend(image, Image.merge("RGB", channels), weight)
    return image


def photo_bytes(width: int, height: int, seed: int = 0, image_format: str = "JPEG") -> bytes:
    """Return :func:`photo` encoded as ``image_format`` (JPEG at quality 90, as cameras do)."""
    buffer = io.BytesIO()
    options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
    photo(width, height, seed).save(buffer, image_format, **options)
    return buffer.getvalue()


def write_photo(path: Path, width: int, height: int, seed: int = 0) -> Path:
    """Write a photo-like image at ``path`` (format from its suffix); return ``path``."""
    formats = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo_bytes(width, height, seed, formats[path.suffix.lower()]))
    return path
