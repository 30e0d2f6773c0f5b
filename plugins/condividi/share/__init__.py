"""Sharing: a privacy-first share bar, social metadata and generated social card images.

Listed in ``PLUGINS`` as ``condividi.share``. The pure parts (``networks``, ``metadata``,
``cards``, ``config``) know nothing of Pelican; ``plugin`` connects them to its signals.
"""

from __future__ import annotations

from condividi.share.plugin import register

__all__ = ["register"]
