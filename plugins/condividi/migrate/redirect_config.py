"""The ``REDIRECTS_*`` settings, read once into a typed, validated :class:`RedirectsConfig`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from condividi.config import ConfigError, load_config, project_path


@dataclass(frozen=True)
class RedirectsConfig:
    """Where the redirect map is and what the build publishes from it.

    ``file``: the map, relative to the content folder (read by
    :func:`condividi.migrate.redirect_map.redirects_file`). ``netlify_save_as``: the
    ``_redirects`` file in the output (``""``: none). ``nginx_path``: the folder, from the
    project folder, of the nginx includes a publish build writes (``""``: none).
    ``html_pages``: an HTML page at each old path that can be a file, for hosts without
    redirects. ``shortlinks_save_as``: the JSON the home page's script reads to follow
    ``/?p=123`` addresses on such hosts (``""``: neither the JSON nor the script).
    """

    file: str = "redirects.txt"
    netlify_save_as: str = "_redirects"
    nginx_path: str = "var/redirects"
    html_pages: bool = True
    shortlinks_save_as: str = "redirects/shortlinks.json"


def redirects_config(settings: Mapping[str, Any]) -> RedirectsConfig:
    """Read and check the ``REDIRECTS_*`` settings.

    Takes Pelican's settings; returns a :class:`RedirectsConfig`, or raises
    :class:`ConfigError` naming the setting whose value cannot work.
    """
    config = load_config(RedirectsConfig, settings, "REDIRECTS")
    if not config.file:
        raise ConfigError("setting REDIRECTS_FILE is empty: name the map, e.g. 'redirects.txt'")
    for name, path in (
        ("NETLIFY_SAVE_AS", config.netlify_save_as),
        ("SHORTLINKS_SAVE_AS", config.shortlinks_save_as),
    ):
        if path and (path.startswith("/") or ".." in path.split("/")):
            raise ConfigError(
                f"setting REDIRECTS_{name} = {path!r} is not valid: expected a path inside the "
                "output folder, or '' for none"
            )
    if config.shortlinks_save_as and not config.shortlinks_save_as.endswith(".json"):
        raise ConfigError(
            f"setting REDIRECTS_SHORTLINKS_SAVE_AS = {config.shortlinks_save_as!r} is not "
            "valid: expected a .json file, such as 'redirects/shortlinks.json'"
        )
    return config


def nginx_folder(config: RedirectsConfig, settings: Mapping[str, Any]) -> Path | None:
    """Return the folder of the nginx includes (relative paths from the project folder), or
    ``None`` when ``REDIRECTS_NGINX_PATH`` is empty."""
    if not config.nginx_path:
        return None
    return project_path(settings, config.nginx_path)
