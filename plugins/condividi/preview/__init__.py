"""``make serve``'s instant preview: the site rebuilt in the serving process as files change.

- :mod:`~condividi.preview.readcache` keeps what Pelican's readers made of each source file
  in memory, so a rebuild reads (converts Markdown) only the files that changed;
- :mod:`~condividi.preview.pipeline` writes the page of a changed post within a moment, then
  the whole site, through the same safe build as ``make publish``;
- :mod:`~condividi.preview.server` serves ``output/`` with live reload, a "building" page
  and the site's own 404 page;
- :mod:`~condividi.preview.watcher` tells which saved files call for which rebuild.

Nothing here runs in ``make html`` or ``make publish``, and nothing of it reaches ``output/``.
"""

from __future__ import annotations
