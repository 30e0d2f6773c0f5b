"""The ``FEEDS_*`` settings, read once into a typed, validated :class:`FeedsConfig`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from condividi.config import ConfigError, load_config

# RFC 4151: a tag URI's authority is a domain name (or an email address) and a date on which
# whoever mints the ids owned it.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_DNS_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_EMAIL = re.compile(r"^[^@\s,]+@[A-Za-z0-9.-]+$")
_TAG_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Settings that no longer exist, and what replaced them: a forgotten one is an error, not
# silently ignored.
REMOVED = {
    "FEEDS_STYLESHEET_SAVE_AS": (
        "feeds no longer carry a browser stylesheet (browsers are removing XSLT, and Chromium "
        "already covers such pages with a warning); a reader who clicks the site's feed links "
        "gets the subscribe page instead (FEEDS_PAGE_SLUGS). Delete the setting"
    ),
}


def _page_slugs() -> dict[str, str]:
    return {"it": "iscriviti", "en": "subscribe"}


@dataclass(frozen=True)
class FeedsConfig:
    """Everything the feeds capability reads from ``FEEDS_*`` settings (and ``SITEURL``)."""

    siteurl: str = ""
    atom_save_as: str = "feeds/atom.xml"
    rss_save_as: str = "feeds/rss.xml"
    categories: bool = True
    category_atom_save_as: str = "feeds/categoria/{slug}.atom.xml"
    category_rss_save_as: str = "feeds/categoria/{slug}.rss.xml"
    tags: bool = True
    tag_atom_save_as: str = "feeds/tag/{slug}.atom.xml"
    tag_rss_save_as: str = "feeds/tag/{slug}.rss.xml"
    max_items: int | None = 20
    summary_only: bool = False
    id_authority: str = ""
    id_date: str = "2026"
    websub_hub: str = ""
    # The subscribe page (feed addresses, newsletter, latest posts): its slug per language,
    # placed by PAGE_URL / PAGE_LANG_URL. {} for none: the links then lead to the RSS feed.
    page_slugs: Mapping[str, str] = field(default_factory=_page_slugs)

    def url(self, save_as: str) -> str:
        """Return the absolute URL of a file written at ``save_as`` in the output."""
        return f"{self.siteurl}/{save_as}"


def feeds_config(settings: Mapping[str, Any]) -> FeedsConfig:
    """Read and check the feeds settings.

    Takes Pelican's settings; returns a :class:`FeedsConfig` whose ``siteurl`` is ``SITEURL``
    without a trailing slash and whose ``id_authority`` defaults to SITEURL's host. Raises
    :class:`ConfigError` naming the setting when a value cannot work.
    """
    for name, reason in REMOVED.items():
        if name in settings:
            raise ConfigError(f"setting {name} was removed: {reason}")
    siteurl = str(settings.get("SITEURL") or "").rstrip("/")
    parts = urlsplit(siteurl)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"setting SITEURL = {siteurl!r} is not valid for feeds: they need an absolute "
            "http(s) URL such as 'https://blog.example.org'"
        )
    config = load_config(FeedsConfig, settings, "FEEDS")
    config = dataclasses.replace(
        config,
        siteurl=siteurl,
        id_authority=config.id_authority or parts.hostname,
        page_slugs=dict(config.page_slugs),
    )
    _check(config)
    return config


def _check(config: FeedsConfig) -> None:
    if not (_DNS_NAME.match(config.id_authority) or _EMAIL.match(config.id_authority)):
        raise ConfigError(
            f"setting FEEDS_ID_AUTHORITY = {config.id_authority!r} is not valid: expected a "
            "domain name you own (e.g. 'blog.example.org') or an email address"
        )
    if not _TAG_DATE.match(config.id_date):
        raise ConfigError(
            f"setting FEEDS_ID_DATE = {config.id_date!r} is not valid: expected a date on "
            "which you owned the domain, as YYYY, YYYY-MM or YYYY-MM-DD (e.g. '2026')"
        )
    if config.max_items is not None and config.max_items < 1:
        raise ConfigError(
            f"setting FEEDS_MAX_ITEMS = {config.max_items!r} is not valid: expected a positive "
            "number, or None for every post"
        )
    if config.websub_hub:
        hub = urlsplit(config.websub_hub)
        if hub.scheme not in ("http", "https") or not hub.hostname:
            raise ConfigError(
                f"setting FEEDS_WEBSUB_HUB = {config.websub_hub!r} is not valid: expected the "
                "hub's absolute http(s) URL, or '' for no hub"
            )
    paths = {
        "ATOM_SAVE_AS": (config.atom_save_as, False),
        "RSS_SAVE_AS": (config.rss_save_as, False),
        "CATEGORY_ATOM_SAVE_AS": (config.category_atom_save_as, True),
        "CATEGORY_RSS_SAVE_AS": (config.category_rss_save_as, True),
        "TAG_ATOM_SAVE_AS": (config.tag_atom_save_as, True),
        "TAG_RSS_SAVE_AS": (config.tag_rss_save_as, True),
    }
    for name, (path, needs_slug) in paths.items():
        if not path or path.startswith("/") or ".." in path.split("/"):
            raise ConfigError(
                f"setting FEEDS_{name} = {path!r} is not valid: expected a path inside the "
                "output folder, such as 'feeds/atom.xml'"
            )
        if needs_slug and "{slug}" not in path:
            raise ConfigError(
                f"setting FEEDS_{name} = {path!r} is not valid: it must contain {{slug}}"
            )
    for lang, slug in config.page_slugs.items():
        if not (isinstance(lang, str) and lang.strip() and isinstance(slug, str)):
            raise ConfigError(
                f"setting FEEDS_PAGE_SLUGS = {dict(config.page_slugs)!r} is not valid: expected "
                "a language code and a slug for each page, e.g. {'it': 'iscriviti'}"
            )
        if not _SLUG.match(slug):
            raise ConfigError(
                f"setting FEEDS_PAGE_SLUGS: the slug {slug!r} of {lang!r} is not valid: use "
                "lowercase letters, digits and hyphens, e.g. 'iscriviti'"
            )
