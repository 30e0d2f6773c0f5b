"""Host headers capability: the site's Content-Security-Policy and caching, written as
``_headers`` (Netlify, Cloudflare Pages) and as nginx includes beside the redirect map's.

Listed in ``PLUGINS`` as ``condividi.headers``; see docs/deploying.md.
"""

from __future__ import annotations

from condividi.headers.plugin import register

__all__ = ["register"]
