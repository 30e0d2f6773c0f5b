"""Feeds capability: full, valid, stable Atom and RSS 2.0 written with feedgen.

Site-wide, per-category and per-tag feeds with absolute URLs in content, ids that never
change once a post is out, autodiscovery links, a subscribe page and WebSub.
Listed in ``PLUGINS`` as ``condividi.feeds``; see docs/feeds.md.
"""

from __future__ import annotations

from condividi.feeds.plugin import register

__all__ = ["register"]
