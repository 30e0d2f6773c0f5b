"""The sitemap's settings (``SITEMAP_*``), read once into a typed object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from condividi.config import ConfigError, load_config


@dataclass(frozen=True)
class SitemapConfig:
    """Every sitemap setting, without its ``SITEMAP_`` prefix."""

    # Where sitemap.xml goes in the output; "" writes none (robots.txt then names none).
    save_as: str = "sitemap.xml"
    # Where robots.txt goes; "" writes none (a robots.txt the content ships is never replaced).
    robots_save_as: str = "robots.txt"
    # Paths of the site (from its root, as in the output: "iscriviti/") listed besides the
    # articles, pages, categories, tags, home and archive, when the build wrote them.
    extra_paths: tuple[str, ...] = ("iscriviti/", "en/subscribe/")
    # Paths never listed, whatever wrote them.
    exclude_paths: tuple[str, ...] = ()


def sitemap_config(settings: Mapping[str, Any]) -> SitemapConfig:
    """Return the sitemap configuration from Pelican ``settings``.

    Raises :class:`ConfigError` naming the setting when a value has the wrong type or a path
    is absolute (paths are the site's, written without the leading slash).
    """
    config = load_config(SitemapConfig, settings, "SITEMAP")
    for key, value in (("SAVE_AS", config.save_as), ("ROBOTS_SAVE_AS", config.robots_save_as)):
        if value.startswith("/") or ".." in value.split("/"):
            raise ConfigError(
                f"setting SITEMAP_{key} = {value!r}: write a path inside the output, "
                "without a leading slash"
            )
    path_lists = (("EXTRA_PATHS", config.extra_paths), ("EXCLUDE_PATHS", config.exclude_paths))
    for key, paths in path_lists:
        for path in paths:
            if path.startswith(("/", "http:", "https:")):
                raise ConfigError(
                    f"setting SITEMAP_{key}: {path!r} must be a path of the site without a "
                    'leading slash ("iscriviti/")'
                )
    return config
