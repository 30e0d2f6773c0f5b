"""The ``READNEXT_*`` settings, read once into :class:`ReadNextConfig` and checked at start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from condividi.config import ConfigError, load_config

MAX_COUNT = 10


@dataclass(frozen=True)
class ReadNextConfig:
    """ "Read next" settings; each field is ``READNEXT_<FIELD>`` in pelicanconf.py.

    - ``enabled``: list related posts at the end of each article (on).
    - ``count``: how many, at most (3).
    """

    enabled: bool = True
    count: int = 3


def readnext_config(settings: Mapping[str, Any]) -> ReadNextConfig:
    """Read and check the ``READNEXT_*`` settings; return them, or raise :class:`ConfigError`
    naming the setting and the value at fault."""
    config = load_config(ReadNextConfig, settings, "READNEXT")
    if not 1 <= config.count <= MAX_COUNT:
        raise ConfigError(
            f"READNEXT_COUNT = {config.count!r} must be between 1 and {MAX_COUNT} "
            "(turn the list off with READNEXT_ENABLED = False)"
        )
    return config
