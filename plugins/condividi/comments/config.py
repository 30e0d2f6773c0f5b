"""The comments settings (``COMMENTS_*``), read once into a typed, validated object.

Isso, self-hosted, is the default. ``COMMENTS_ISSO_URL`` is where readers' browsers reach it:
an absolute URL, or a path such as ``/isso`` meaning "under the site's own origin" (behind the
same reverse proxy), resolved against ``SITEURL``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from condividi.config import ConfigError, load_config
from condividi.newsletter.addresses import validate_address
from condividi.newsletter.providers.base import InvalidAddress

PROVIDERS = ("isso", "giscus", "disqus", "remark42", "cusdis", "none")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_GITHUB_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
_DISQUS_SHORTNAME = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True)
class CommentsConfig:
    """Every comments setting, without its ``COMMENTS_`` prefix."""

    provider: str = "isso"
    # Holding comments until the author approves them (Isso; hosted services moderate in
    # their own dashboards). publishconf.py turns it on when the comment mail is on.
    moderation: bool = False
    # Isso mails the author each new comment with its delete (and, moderated, activate) link,
    # through the project's one SMTP setup (condividi.mail); to notify_to, by default the
    # sender's address (NEWSLETTER_FROM_EMAIL). Without NEWSLETTER_SMTP_HOST, `make serve`
    # catches the mail in a local SMTP sink on notify_sink that files it in the outbox.
    notify: bool = False
    notify_to: str = ""
    notify_sink: str = "127.0.0.1:8025"
    # Isso's opt-in mail to readers when someone replies to them: needs notify and moderation.
    reply_notifications: bool = False
    # Isso: where browsers reach it, where `make comments` binds, its SQLite file (relative
    # to the project), extra site origins allowed by CORS besides SITEURL's, the spam guard
    # (rate limits; off only in tests) and the web admin (password from ISSO_ADMIN_PASSWORD).
    isso_url: str = "http://127.0.0.1:8080"
    isso_listen: str = "http://127.0.0.1:8080"
    isso_db: str = "var/comments/comments.db"
    isso_hosts: tuple[str, ...] = ()
    isso_guard: bool = True
    isso_admin: bool = False
    # giscus (GitHub Discussions): the values giscus.app's configurator gives.
    giscus_repo: str = ""
    giscus_repo_id: str = ""
    giscus_category: str = ""
    giscus_category_id: str = ""
    # Disqus: the site's shortname.
    disqus_shortname: str = ""
    # Remark42: the server's address and site id.
    remark42_host: str = ""
    remark42_site_id: str = "remark"
    # Cusdis: cusdis.com or a self-hosted instance, and the app id from its dashboard.
    cusdis_host: str = "https://cusdis.com"
    cusdis_app_id: str = ""


def comments_config(settings: Mapping[str, Any]) -> CommentsConfig:
    """Return the comments configuration from Pelican ``settings``, validated.

    ``isso_url`` comes back absolute and without a trailing slash. Raises
    :class:`ConfigError` naming the setting and the value when one cannot work.
    """
    config = load_config(CommentsConfig, settings, "COMMENTS")
    if config.provider not in PROVIDERS:
        raise ConfigError(
            f"setting COMMENTS_PROVIDER = {config.provider!r} is not valid: "
            f"choose one of {', '.join(PROVIDERS)}"
        )
    siteurl = str(settings.get("SITEURL") or "")
    config = dataclasses.replace(config, isso_url=resolve_isso_url(config.isso_url, siteurl))
    _check_url("COMMENTS_ISSO_LISTEN", config.isso_listen, allow_unix=True)
    for host in config.isso_hosts:
        _check_origin("COMMENTS_ISSO_HOSTS", host)
    if config.provider == "isso" and settings.get("CONDIVIDI_PUBLISH"):
        _check_public_isso_url(config.isso_url, siteurl)
    _check_notify(config)
    check_provider = _REQUIREMENTS.get(config.provider)
    if check_provider is not None:
        check_provider(config)
    return config


def resolve_isso_url(value: str, siteurl: str) -> str:
    """Return ``COMMENTS_ISSO_URL`` as an absolute URL without a trailing slash.

    Takes the setting (absolute, or a path under ``siteurl``) and the site's ``SITEURL``;
    raises :class:`ConfigError` when it is neither.
    """
    if value.startswith("/") and not value.startswith("//"):
        if not siteurl.startswith(("http://", "https://")):
            raise ConfigError(
                f"setting COMMENTS_ISSO_URL = {value!r} is a path under SITEURL, "
                f"but SITEURL = {siteurl!r} is not an absolute http(s) URL"
            )
        return siteurl.rstrip("/") + value.rstrip("/")
    _check_url("COMMENTS_ISSO_URL", value)
    return value.rstrip("/")


def origin_of(url: str) -> str:
    """Return the origin (``scheme://host[:port]``) of an absolute URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_loopback(url: str) -> bool:
    """Tell whether an absolute URL points at this computer."""
    return urlsplit(url).hostname in LOOPBACK_HOSTS


def _check_url(key: str, value: str, allow_unix: bool = False) -> None:
    parts = urlsplit(value)
    if allow_unix and parts.scheme == "unix" and parts.path:
        return
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        expected = "an http(s) URL" + (" or unix:///path.sock" if allow_unix else "")
        if key == "COMMENTS_ISSO_URL":
            expected += " or a path under SITEURL such as '/isso'"
        raise ConfigError(f"setting {key} = {value!r} is not valid: expected {expected}")


def _check_origin(key: str, value: str) -> None:
    _check_url(key, value)
    if urlsplit(value).path not in ("", "/"):
        raise ConfigError(
            f"setting {key}: {value!r} is not an origin: write scheme://host[:port], no path"
        )


def _check_public_isso_url(isso_url: str, siteurl: str) -> None:
    """In a production build, refuse an Isso address readers could not reach."""
    if is_loopback(isso_url) and not is_loopback(siteurl):
        raise ConfigError(
            f"setting COMMENTS_ISSO_URL = {isso_url!r} points readers at their own computer; "
            "set it to the public address of your Isso server (for example '/isso' behind "
            "the site's reverse proxy)"
        )
    if siteurl.startswith("https://") and isso_url.startswith("http://"):
        raise ConfigError(
            f"setting COMMENTS_ISSO_URL = {isso_url!r} is plain http on an https site: "
            "browsers block it as mixed content"
        )


def sink_address(value: str) -> tuple[str, int]:
    """Return the host and port of ``COMMENTS_NOTIFY_SINK`` (``"127.0.0.1:8025"``).

    Raises :class:`ConfigError` unless it is ``host:port`` on this computer.
    """
    host, _, port = value.rpartition(":")
    if host not in LOOPBACK_HOSTS or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"setting COMMENTS_NOTIFY_SINK = {value!r} is not valid: expected "
            "'127.0.0.1:PORT' (the local SMTP sink make serve runs on this computer)"
        )
    return host, int(port)


def _check_notify(config: CommentsConfig) -> None:
    """Refuse comment-mail settings that cannot work, naming the setting."""
    sink_address(config.notify_sink)
    if config.notify_to:
        try:
            validate_address(config.notify_to)
        except InvalidAddress as error:
            raise ConfigError(
                f"setting COMMENTS_NOTIFY_TO = {config.notify_to!r} is not an email address: "
                f"{error}"
            ) from None
    if config.reply_notifications and not (config.notify and config.moderation):
        raise ConfigError(
            "setting COMMENTS_REPLY_NOTIFICATIONS = True needs COMMENTS_NOTIFY = True (the "
            "mail setup) and COMMENTS_MODERATION = True (without it anyone could make Isso "
            "mail any address)"
        )


def _require(config: CommentsConfig, *fields: str) -> None:
    for name in fields:
        if not getattr(config, name):
            raise ConfigError(
                f"setting COMMENTS_{name.upper()} is required when "
                f"COMMENTS_PROVIDER = {config.provider!r}"
            )


def _giscus(config: CommentsConfig) -> None:
    _require(config, "giscus_repo", "giscus_repo_id", "giscus_category", "giscus_category_id")
    if not _GITHUB_REPO.match(config.giscus_repo):
        raise ConfigError(
            f"setting COMMENTS_GISCUS_REPO = {config.giscus_repo!r} is not valid: "
            "expected 'owner/repository'"
        )


def _disqus(config: CommentsConfig) -> None:
    _require(config, "disqus_shortname")
    if not _DISQUS_SHORTNAME.match(config.disqus_shortname):
        raise ConfigError(
            f"setting COMMENTS_DISQUS_SHORTNAME = {config.disqus_shortname!r} is not valid: "
            "expected lowercase letters, digits and dashes"
        )


def _remark42(config: CommentsConfig) -> None:
    _require(config, "remark42_host", "remark42_site_id")
    _check_origin("COMMENTS_REMARK42_HOST", config.remark42_host)


def _cusdis(config: CommentsConfig) -> None:
    _require(config, "cusdis_app_id")
    _check_origin("COMMENTS_CUSDIS_HOST", config.cusdis_host)


_REQUIREMENTS = {
    "giscus": _giscus,
    "disqus": _disqus,
    "remark42": _remark42,
    "cusdis": _cusdis,
}
