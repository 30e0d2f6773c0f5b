"""Production overrides for ``make publish``.

``SITEURL`` comes from the environment when set (``SITEURL=https://blog.example.org make
publish``); share links, feeds and social metadata need it absolute.
"""

from __future__ import annotations

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://www.example.org")
RELATIVE_URLS = False
CONDIVIDI_PUBLISH = True  # plugins apply their production checks

# Drafts (and future-dated posts, which Pelican turns into drafts) are previewed locally only.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""

# Isso behind the site's own reverse proxy, at SITEURL/isso (see the README's nginx sample).
COMMENTS_ISSO_URL = os.environ.get("COMMENTS_ISSO_URL", "/isso")
