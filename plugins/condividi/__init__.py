"""Condividi: Pelican plugins for sharing, comments, feeds and a newsletter.

Each capability is a subpackage with its own ``register()``, listed by dotted name in
``PLUGINS`` (``condividi.i18n``, ``condividi.share``, ``condividi.feeds``, ...).
"""

from __future__ import annotations

__version__ = "0.1.0"
