"""Resized copies of one content image, drawn with Pillow and kept by content hash.

:func:`plan_widths` says which widths an image gets (never wider than itself),
:func:`render_variants` decodes the image once and encodes each copy, and
:class:`VariantCache` keeps every copy under ``CACHE_PATH`` named by the hash of what made it
(the image's bytes, the format, the width, the quality and :data:`RESIZER_VERSION`), so a
rebuild redoes nothing. Bump :data:`RESIZER_VERSION` when the drawing changes.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from condividi.filecache import FileCache, digest
from condividi.files import write_atomically

RESIZER_VERSION = 1
# The formats resized, by file suffix: GIF (animation) and SVG (already any size) are not.
FORMATS: Mapping[str, str] = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
SUFFIXES: Mapping[str, str] = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
MIME_TYPES: Mapping[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# EXIF orientations that turn the picture a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}


class ImageFileError(ValueError):
    """A content image cannot be read; the message names the file."""


@dataclass(frozen=True)
class SourceImage:
    """A content image as the reader sees it: its file, content hash, upright size, format."""

    path: str
    sha256: str
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class Variant:
    """One resized copy: its format, size and cache key."""

    format: str
    width: int
    height: int
    key: str

    @property
    def suffix(self) -> str:
        """The file suffix of the copy (``.webp``, ``.jpg``, ``.png``)."""
        return SUFFIXES[self.format]


def plan_widths(source_width: int, widths: Iterable[int]) -> tuple[int, ...]:
    """Return the widths the copies of an image ``source_width`` pixels wide get, ascending.

    Each configured width smaller than the image, plus the image's own width when it is not
    wider than the largest configured one: an image is never scaled up, and a huge one stops
    at the largest width.
    """
    wanted = sorted(set(widths))
    chosen = [width for width in wanted if width < source_width]
    if source_width <= wanted[-1]:
        chosen.append(source_width)
    return tuple(chosen)


def scaled_height(width: int, height: int, new_width: int) -> int:
    """Return the height keeping the proportions of ``width`` × ``height`` at ``new_width``."""
    return max(1, round(height * new_width / width))


def variant(source: SourceImage, image_format: str, width: int, quality: int) -> Variant:
    """Return the copy of ``source`` in ``image_format`` at ``width`` pixels (cache key made)."""
    key = digest(
        "condividi-image",
        str(RESIZER_VERSION),
        source.sha256,
        image_format,
        str(width),
        str(quality),
    )
    return Variant(image_format, width, scaled_height(source.width, source.height, width), key)


def read_source(path: Path) -> SourceImage:
    """Return what :class:`SourceImage` says about the image file at ``path``.

    Reads the bytes once for the hash and the header for the size (turned upright by its EXIF
    orientation, as browsers show it). Raises :class:`ImageFileError` naming the file when
    Pillow cannot read it.
    """
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image_format = str(image.format or "")
            if image.getexif().get(0x0112) in _QUARTER_TURNS:
                width, height = height, width
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ImageFileError(f"{path}: not an image Pillow can read ({error})") from error
    if image_format not in SUFFIXES:
        raise ImageFileError(f"{path}: its suffix says {path.suffix} but it holds {image_format}")
    return SourceImage(str(path), digest(data), width, height, image_format)


def _upright(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    has_alpha = "transparency" in image.info or image.mode in ("PA", "RGBa", "La")
    return image.convert("RGBA" if has_alpha else "RGB")


def encode(image: Image.Image, image_format: str, quality: int, icc: bytes | None) -> bytes:
    """Return ``image`` encoded in ``image_format`` (JPEG, PNG or WEBP) at ``quality``."""
    buffer = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=quality, progressive=True, **extra)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=quality, method=4, **extra)
    else:
        image.save(buffer, "PNG", **extra)
    return buffer.getvalue()


def render_variants(
    path: Path, variants: Iterable[Variant], qualities: Mapping[str, int]
) -> dict[str, bytes]:
    """Decode the image at ``path`` once and return each of ``variants`` encoded, by key.

    ``qualities`` gives the encoder quality of each format. Metadata other than the colour
    profile (EXIF, with any GPS position) is left out of the copies.
    """
    wanted = sorted(variants, key=lambda item: -item.width)
    if not wanted:
        return {}
    with Image.open(path) as opened:
        icc = opened.info.get("icc_profile")
        if opened.format == "JPEG":  # decode at a reduced scale when that is still big enough
            largest = wanted[0]
            quarter = opened.getexif().get(0x0112) in _QUARTER_TURNS
            target = (largest.height, largest.width) if quarter else (largest.width, largest.height)
            opened.draft(opened.mode, target)
        image = _upright(opened)
        image.load()
    made: dict[str, bytes] = {}
    for item in wanted:  # widest first: each size is made from the one before, a quicker step
        size = (item.width, item.height)
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        made[item.key] = encode(image, item.format, qualities[item.format], icc)
    return made


class SourceIndex:
    """What :func:`read_source` found for each image file, kept in a JSON file between builds.

    A file is read again only when its size or modification time changed, so a warm build
    neither hashes nor opens the site's photos.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        try:
            self._entries: dict[str, list[object]] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            self._entries = {}

    def get(self, path: Path) -> SourceImage:
        """Return the :class:`SourceImage` of ``path``, reading the file only if it changed."""
        info = os.stat(path)
        stamp = [info.st_mtime_ns, info.st_size]
        entry = self._entries.get(str(path))
        if entry and entry[:2] == stamp:
            sha, width, height, image_format = (str(value) for value in entry[2:])
            return SourceImage(str(path), str(sha), int(width), int(height), str(image_format))
        source = read_source(path)
        found = [source.sha256, source.width, source.height, source.format]
        self._entries[str(path)] = [*stamp, *found]
        self.changed = True
        return source

    def save(self) -> None:
        """Write the index back if it learnt anything (atomically: builds may run together)."""
        if self.changed:
            write_atomically(self.path, json.dumps(self._entries, sort_keys=True), durable=False)
            self.changed = False


class VariantCache:
    """The resized copies under one folder, one :class:`FileCache` per suffix."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files = {suffix: FileCache(folder, suffix) for suffix in set(SUFFIXES.values())}
        self.made = 0

    def path(self, item: Variant) -> Path:
        """Return where the copy ``item`` is (or would be) kept."""
        return self._files[item.suffix].path(item.key)

    def missing(self, items: Iterable[Variant]) -> list[Variant]:
        """Return those of ``items`` the cache does not hold yet."""
        return [item for item in items if not self.path(item).is_file()]

    def put(self, item: Variant, data: bytes) -> Path:
        """Keep the encoded copy ``data`` of ``item``; return its path."""
        path = self.path(item)
        self._files[item.suffix].put(path, data)
        self.made += 1
        return path
