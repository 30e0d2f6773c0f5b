"""Responsive images: resized copies of content images (WebP and the original format) with
``srcset``, ``sizes``, ``width``/``height`` and lazy loading, cached by content hash.

Listed in ``PLUGINS`` as ``condividi.images``. The pure parts (``variants``, ``markup``,
``config``) know nothing of Pelican; ``plugin`` connects them to its signals.
"""

from __future__ import annotations

from condividi.images.plugin import register

__all__ = ["register"]
