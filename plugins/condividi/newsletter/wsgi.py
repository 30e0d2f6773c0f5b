"""The signup endpoint for any WSGI server: ``condividi.newsletter.wsgi:app``.

Reads the Pelican settings file named by ``CONDIVIDI_SETTINGS`` (default ``publishconf.py`` in
the working folder) and the newsletter's environment variables, e.g.::

    CONDIVIDI_SETTINGS=/srv/blog/publishconf.py SITEURL=https://blog.example.org \\
        gunicorn --bind 127.0.0.1:8090 --workers 1 --threads 4 condividi.newsletter.wsgi:app
"""

from __future__ import annotations

import os
from pathlib import Path

from condividi.newsletter.signup import app_from_settings

app = app_from_settings(Path(os.environ.get("CONDIVIDI_SETTINGS", "publishconf.py")))
