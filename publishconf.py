"""Production overrides for ``make publish``.

``SITEURL`` comes from the environment when set (``SITEURL=https://blog.example.org make
publish``); share links, feeds and social metadata need it absolute.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# Start from the pelicanconf.py beside this file, read afresh (not a cached module of that name).
_base_file = Path(__file__).with_name("pelicanconf.py")
_spec = importlib.util.spec_from_file_location("pelicanconf", _base_file)
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

SITEURL = os.environ.get("SITEURL", "https://www.example.org")
RELATIVE_URLS = False
CONDIVIDI_PUBLISH = True  # plugins apply their production checks

# Drafts (and future-dated posts, which Pelican turns into drafts) are previewed locally only.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""

# Isso behind the site's own reverse proxy, at SITEURL/isso (see docs/deploying.md's nginx sample).
COMMENTS_ISSO_URL = os.environ.get("COMMENTS_ISSO_URL", "/isso")
# The comment mail (docs/comments.md#comment-mail): set COMMENTS_NOTIFY = True above this line
# or in pelicanconf.py. With it on, a public blog holds each new comment until the mail's
# activate link publishes it, unless COMMENTS_MODERATION is set (docs/comments.md#moderation).
COMMENTS_NOTIFY = globals().get("COMMENTS_NOTIFY", False)
COMMENTS_MODERATION = globals().get("COMMENTS_MODERATION", COMMENTS_NOTIFY)
