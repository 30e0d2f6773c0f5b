"""Sitemap capability: ``sitemap.xml`` (sitemaps.org 0.9, with hreflang alternates) and
``robots.txt`` naming it, written from the build's published content.

Listed in ``PLUGINS`` as ``condividi.sitemap``; see docs/deploying.md.
"""

from __future__ import annotations

from condividi.sitemap.plugin import register

__all__ = ["register"]
