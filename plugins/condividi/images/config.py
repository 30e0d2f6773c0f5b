"""The ``IMAGES_*`` settings, read once into :class:`ImagesConfig` and checked at start."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from condividi.config import ConfigError, load_config

# The theme's column: ``.wrap`` is 42rem wide with 1.25rem of padding on each side.
DEFAULT_SIZES = "(min-width: 42rem) 632px, calc(100vw - 2.5rem)"
_SIZES_SHAPE = re.compile(r"[^<>\"]+")


@dataclass(frozen=True)
class ImagesConfig:
    """Responsive image settings; each field is ``IMAGES_<FIELD>`` in pelicanconf.py.

    - ``enabled``: rewrite content images into ``<picture>`` with resized copies (on).
    - ``widths``: the widths of the copies, in pixels; never wider than the original.
    - ``webp``: also make WebP copies, offered first with the original format as fallback.
    - ``sizes``: the ``sizes`` attribute, how wide the theme shows an image in its column.
    - ``eager``: how many of an article's first images load at once (the first screen); the
      ones after them get ``loading="lazy"`` and ``decoding="async"``.
    - ``jpeg_quality`` / ``webp_quality``: encoder quality of the copies (1-100).
    - ``output_dir``: where the copies go in the output folder.
    - ``workers``: how many images are resized at once (threads; Pillow releases the GIL).
    """

    enabled: bool = True
    widths: tuple[int, ...] = (480, 800, 1200, 1600)
    webp: bool = True
    sizes: str = DEFAULT_SIZES
    eager: int = 1
    jpeg_quality: int = 82
    webp_quality: int = 78
    output_dir: str = "images/sizes"
    workers: int = 2


def images_config(settings: Mapping[str, Any]) -> ImagesConfig:
    """Read and check the ``IMAGES_*`` settings; return them, or raise :class:`ConfigError`.

    The message names the setting and the value at fault.
    """
    config = load_config(ImagesConfig, settings, "IMAGES")
    if not config.widths or any(width < 16 or width > 8192 for width in config.widths):
        raise ConfigError(
            f"IMAGES_WIDTHS = {config.widths!r}: give one or more widths in pixels, "
            "each between 16 and 8192"
        )
    if len(set(config.widths)) != len(config.widths):
        raise ConfigError(f"IMAGES_WIDTHS = {config.widths!r} lists a width twice")
    for name in ("jpeg_quality", "webp_quality"):
        value = getattr(config, name)
        if not 1 <= value <= 100:
            raise ConfigError(f"IMAGES_{name.upper()} = {value!r} must be between 1 and 100")
    if config.eager < 0:
        raise ConfigError(f"IMAGES_EAGER = {config.eager!r} must be 0 or more")
    if config.workers < 1:
        raise ConfigError(f"IMAGES_WORKERS = {config.workers!r} must be 1 or more")
    if not _SIZES_SHAPE.fullmatch(config.sizes.strip()):
        raise ConfigError(
            f"IMAGES_SIZES = {config.sizes!r} is not a sizes attribute such as {DEFAULT_SIZES!r}"
        )
    folder = PurePosixPath(config.output_dir)
    if not config.output_dir.strip("/") or folder.is_absolute() or ".." in folder.parts:
        raise ConfigError(
            f"IMAGES_OUTPUT_DIR = {config.output_dir!r}: give a folder inside the output "
            "folder, without '..', such as 'images/sizes'"
        )
    return ImagesConfig(
        **{**config.__dict__, "widths": tuple(sorted(config.widths))},
    )
