"""The ``SHARE_*`` settings, read once into :class:`ShareConfig` and checked at start."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import ImageColor

from condividi.config import ConfigError, load_config
from condividi.share.networks import DEFAULT_NETWORKS, NETWORKS, TOOTPICK, unknown_networks

_X_ACCOUNT = re.compile(r"@?\w{1,15}")


@dataclass(frozen=True)
class ShareConfig:
    """Share settings; each field is ``SHARE_<FIELD>`` in pelicanconf.py.

    - ``networks``: the share bar's networks, in order (names from ``NETWORKS``).
    - ``utm`` / ``utm_campaign``: tag shared URLs with UTM parameters (never the canonical URL).
    - ``x_account``: the site's X account, for ``via=`` and ``twitter:site``.
    - ``mastodon_share_page``: Tootpick's address, or a copy the site hosts.
    - ``cards``: draw a social card for content without its own ``Image:``.
    - ``card_background`` / ``card_foreground`` / ``card_accent``: the card's colours
      (the theme's light palette by default).
    - ``card_font``: a bold TrueType font for cards (DejaVu Sans Bold when empty).
    """

    networks: tuple[str, ...] = DEFAULT_NETWORKS
    utm: bool = False
    utm_campaign: str = "condividi"
    x_account: str = ""
    mastodon_share_page: str = TOOTPICK
    cards: bool = True
    card_background: str = "#fdfcfa"
    card_foreground: str = "#1c1917"
    card_accent: str = "#9a3412"
    card_font: str = ""


def is_absolute_url(url: str) -> bool:
    """Tell whether ``url`` is an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def share_config(settings: Mapping[str, Any]) -> ShareConfig:
    """Read and check the ``SHARE_*`` settings; return them, or raise :class:`ConfigError`.

    The message names the setting and the value at fault (an unknown network, a colour
    Pillow cannot read, a font file that is missing, ...).
    """
    config = load_config(ShareConfig, settings, "SHARE")
    unknown = unknown_networks(config.networks)
    if unknown:
        raise ConfigError(
            f"SHARE_NETWORKS: unknown network {', '.join(map(repr, unknown))}; "
            f"known networks: {', '.join(NETWORKS)}"
        )
    duplicated = sorted({n for n in config.networks if config.networks.count(n) > 1})
    if duplicated:
        raise ConfigError(f"SHARE_NETWORKS lists {', '.join(map(repr, duplicated))} twice")
    if config.utm and not config.utm_campaign.strip():
        raise ConfigError("SHARE_UTM is on but SHARE_UTM_CAMPAIGN is empty: name the campaign")
    if config.x_account and not _X_ACCOUNT.fullmatch(config.x_account):
        raise ConfigError(f"SHARE_X_ACCOUNT = {config.x_account!r} is not an X account name")
    if not is_absolute_url(config.mastodon_share_page):
        raise ConfigError(
            f"SHARE_MASTODON_SHARE_PAGE = {config.mastodon_share_page!r} "
            "must be an absolute http(s) URL"
        )
    for field in ("card_background", "card_foreground", "card_accent"):
        value = getattr(config, field)
        try:
            ImageColor.getrgb(value)
        except ValueError:
            raise ConfigError(f"SHARE_{field.upper()} = {value!r} is not a colour") from None
    if config.card_font and not Path(config.card_font).is_file():
        raise ConfigError(f"SHARE_CARD_FONT = {config.card_font!r}: no such font file")
    return config


def check_siteurl(settings: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` when a publish build has an empty or relative ``SITEURL``.

    Share links, the canonical link and Open Graph URLs are read on other sites, where a
    relative URL points nowhere; a local build (no ``CONDIVIDI_PUBLISH``) is not checked.
    """
    if not settings.get("CONDIVIDI_PUBLISH"):
        return
    siteurl = str(settings.get("SITEURL") or "")
    if not is_absolute_url(siteurl):
        raise ConfigError(
            f"SITEURL = {siteurl!r}: a published site needs an absolute SITEURL such as "
            "https://blog.example.org, because share links and social metadata are read on "
            "other sites, where a relative URL points nowhere "
            "(set it in publishconf.py or with SITEURL=... make publish)"
        )
