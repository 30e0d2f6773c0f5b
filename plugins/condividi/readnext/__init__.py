"""Read next ("Leggi anche"): up to three related posts in the same language at the end of
each article, computed at build time from shared tags, category and text similarity.

Listed in ``PLUGINS`` as ``condividi.readnext``. The pure parts (``similarity``, ``config``)
know nothing of Pelican; ``plugin`` connects them to its signals.
"""

from __future__ import annotations

from condividi.readnext.plugin import register

__all__ = ["register"]
