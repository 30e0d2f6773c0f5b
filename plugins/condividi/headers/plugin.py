"""Pelican glue for the host headers: check the settings as the build starts, write
``_headers`` into the output, and the nginx includes once a publish build succeeded."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import Pelican, signals

from condividi.build import build_succeeded
from condividi.config import project_path
from condividi.files import write_atomically
from condividi.headers.hosts import GENERATED, netlify_headers, nginx_headers
from condividi.headers.policy import (
    SECURITY_HEADERS,
    cache_rules,
    content_security_policy,
    headers_config,
)
from condividi.theme import site_path

log = logging.getLogger(__name__)
NGINX_FILES = ("headers-http.conf", "headers-server.conf")


def site_headers(settings: dict[str, Any]) -> dict[str, str]:
    """Return the headers every response of the site gets: the CSP and the security ones."""
    return {"Content-Security-Policy": content_security_policy(settings), **SECURITY_HEADERS}


def on_initialized(pelican: Pelican) -> None:
    """Check the ``HEADERS_*`` settings (and the CSP they make) before anything is read."""
    content_security_policy(pelican.settings)


def on_finalized(pelican: Pelican) -> None:
    """Write ``_headers`` into the output; a ``_headers`` the site ships itself is kept,
    after the generated rules."""
    settings = pelican.settings
    config = headers_config(settings)
    if not config.save_as:
        return
    prefix = site_path(str(settings.get("SITEURL") or ""))
    text = netlify_headers(site_headers(settings), cache_rules(config, prefix), prefix)
    target = Path(pelican.output_path) / config.save_as
    if target.is_file():
        own = target.read_text(encoding="utf-8", errors="replace")
        if not own.startswith(GENERATED):
            log.info("headers: the site's own %s is kept after the generated rules", target.name)
            text = f"{text}\n# The site's own rules:\n{own}"
    write_atomically(target, text, durable=False)


def on_build_succeeded(pelican: Pelican) -> None:
    """Write the nginx includes of a publish build (``CONDIVIDI_PUBLISH``), now that it
    succeeded, into ``HEADERS_NGINX_PATH``."""
    settings = pelican.settings
    config = headers_config(settings)
    if not settings.get("CONDIVIDI_PUBLISH") or not config.nginx_path:
        return
    prefix = site_path(str(settings.get("SITEURL") or ""))
    includes = nginx_headers(site_headers(settings), cache_rules(config, prefix))
    folder = project_path(settings, config.nginx_path)
    write_atomically(folder / NGINX_FILES[0], includes.http)
    write_atomically(folder / NGINX_FILES[1], includes.server)
    log.info("headers: nginx includes written in %s", folder)


def register() -> None:
    """Connect the host headers to Pelican's signals and to the safe build's success."""
    signals.initialized.connect(on_initialized)
    signals.finalized.connect(on_finalized)
    build_succeeded.connect(on_build_succeeded)
