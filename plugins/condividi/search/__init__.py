"""Search capability: a static, per-language Pagefind index of the posts and pages, a search
field in every page's header and a search page in each language.

Listed in ``PLUGINS`` as ``condividi.search``; see docs/search.md.
"""

from __future__ import annotations

from condividi.search.plugin import register

__all__ = ["register"]
