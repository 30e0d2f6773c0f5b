"""The headers every page of the site needs, worked out once from the settings.

:func:`content_security_policy` is the one place the site's Content-Security-Policy is made:
``_headers``, the nginx include and the docs' example all come from it. It starts from
:data:`BASE_POLICY` (the site alone: no inline script or style, nothing third party) and adds
the origins the configured comment system and signup form need, then ``HEADERS_CSP_EXTRA``.
A capability that needs more (Pagefind's WebAssembly: ``'wasm-unsafe-eval'`` in
``script-src``) adds it to :data:`BASE_POLICY` or to :data:`CAPABILITY_SOURCES`.

Caching: the host's own default (``public, max-age=0, must-revalidate`` on Netlify and
Cloudflare Pages) for HTML; short for feeds; a day for the theme's assets, images and social
cards, whose names do not change with their content; a year, ``immutable``, for the paths of
``HEADERS_IMMUTABLE_PATHS``, whose names do (fingerprinted files).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from condividi.config import ConfigError, load_config

SELF = "'self'"
NONE = "'none'"
# The directives, in the order they are written, and what the site alone needs.
BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": (SELF,),
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF, "data:"),
    "connect-src": (SELF,),
    "form-action": (SELF,),
    "frame-src": (NONE,),
    "object-src": (NONE,),
    "base-uri": (SELF,),
    "frame-ancestors": (SELF,),
}
# Sources a capability of the site always needs, merged into BASE_POLICY: the search page's
# Pagefind compiles its WebAssembly, which a strict script-src refuses without this.
CAPABILITY_SOURCES: dict[str, tuple[str, ...]] = {"script-src": ("'wasm-unsafe-eval'",)}
# What a hosted comment service's embed loads after the click: its script, its iframe, its
# stylesheet, images and API calls.
EMBED_DIRECTIVES = ("script-src", "style-src", "img-src", "connect-src", "frame-src")
# A comment server on its own origin (Isso): its script, stylesheet and API.
ISSO_DIRECTIVES = ("script-src", "style-src", "connect-src")
# The signup endpoint on another origin: the form posts there, the script fetches it.
SIGNUP_DIRECTIVES = ("form-action", "connect-src")

HTML_CACHE = "public, max-age=0, must-revalidate"
FEED_CACHE = "public, max-age=900"
ASSET_CACHE = "public, max-age=86400"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
_SOURCE = re.compile(r"^('[a-z0-9-]+'|[a-z][a-z0-9+.-]*:|[a-z][a-z0-9+.-]*://[^\s;,']+)$")
_DIRECTIVE = re.compile(r"^[a-z-]+$")

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@dataclass(frozen=True)
class HeadersConfig:
    """Every ``HEADERS_*`` setting, without its prefix."""

    # Where the Netlify / Cloudflare Pages file goes in the output; "" writes none.
    save_as: str = "_headers"
    # Folder of the nginx includes (headers-http.conf, headers-server.conf), from the project
    # folder; written by a publish build that succeeded; "" writes none.
    nginx_path: str = "var/redirects"
    # More sources per directive: {"img-src": ["https://images.example.org"]}.
    csp_extra: Mapping[str, Any] = field(default_factory=dict)
    # Paths (from the site's root, "*" only at the end) whose files never change under one name.
    immutable_paths: tuple[str, ...] = ("/pagefind/fragment/*", "/pagefind/index/*")
    # The site's own asset folders and the feeds' folder.
    asset_paths: tuple[str, ...] = ("/theme/*", "/images/*", "/cards/*")
    feed_paths: tuple[str, ...] = ("/feeds/*",)


@dataclass(frozen=True)
class CacheRule:
    """``Cache-Control`` for the paths matching ``pattern`` (exact, or a prefix ending ``*``)."""

    pattern: str
    value: str


def headers_config(settings: Mapping[str, Any]) -> HeadersConfig:
    """Return the headers configuration from Pelican ``settings``.

    Raises :class:`ConfigError` naming the setting for a value of the wrong type, a path
    pattern with ``*`` anywhere but at its end, or a CSP source that is not one.
    """
    config = load_config(HeadersConfig, settings, "HEADERS")
    for key in ("immutable_paths", "asset_paths", "feed_paths"):
        for pattern in getattr(config, key):
            if (
                not pattern.startswith("/")
                or "*" in pattern[:-1]
                or any(c in pattern for c in " \n")
            ):
                raise ConfigError(
                    f"setting HEADERS_{key.upper()}: {pattern!r} must be a path from the "
                    "site's root, with '*' at its end only (\"/theme/*\")"
                )
    for directive, sources in config.csp_extra.items():
        if not isinstance(directive, str) or not _DIRECTIVE.match(directive):
            raise ConfigError(f"setting HEADERS_CSP_EXTRA: {directive!r} is not a CSP directive")
        if isinstance(sources, str) or not all(
            isinstance(s, str) and _SOURCE.match(s) for s in sources
        ):
            raise ConfigError(
                f"setting HEADERS_CSP_EXTRA[{directive!r}] = {sources!r}: give a list of "
                'sources such as "https://cdn.example.org" or "\'wasm-unsafe-eval\'"'
            )
    return config


def origin(url: str) -> str | None:
    """Return the origin of an absolute http(s) ``url``, or ``None`` for a path."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _comment_sources(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    from condividi.comments.config import comments_config
    from condividi.comments.embeds import Post, build_embed

    config = comments_config(settings)
    siteurl = str(settings.get("SITEURL") or "")
    site = origin(siteurl)
    sources: dict[str, list[str]] = {}
    if config.provider == "isso":
        isso = origin(config.isso_url)
        if isso and isso != site:
            for directive in ISSO_DIRECTIVES:
                sources.setdefault(directive, []).append(isso)
        return sources
    embed = build_embed(config, Post("csp", siteurl or "https://example.org/", "", "it", siteurl))
    for embed_origin in embed.origins if embed else ():
        if embed_origin and embed_origin != site:
            for directive in EMBED_DIRECTIVES:
                sources.setdefault(directive, []).append(embed_origin)
    return sources


def _signup_sources(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    from condividi.newsletter.config import newsletter_config
    from condividi.newsletter.form import form_spec

    spec = form_spec(newsletter_config(settings))
    target = origin(spec.action)
    if not target or target == origin(str(settings.get("SITEURL") or "")):
        return {}
    directives = SIGNUP_DIRECTIVES if spec.enhanced else ("form-action",)
    return {directive: [target] for directive in directives}


def csp_directives(settings: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Return the site's CSP as ``{directive: sources}``, in :data:`BASE_POLICY`'s order.

    Takes Pelican ``settings``: the comment system's and the signup form's origins are added
    where they are not the site's own, then ``HEADERS_CSP_EXTRA``. A directive that gains a
    source loses ``'none'``.
    """
    config = headers_config(settings)
    policy: dict[str, list[str]] = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for additions in (
        CAPABILITY_SOURCES,
        _comment_sources(settings),
        _signup_sources(settings),
        config.csp_extra,
    ):
        for directive, sources in additions.items():
            current = policy.setdefault(directive, [])
            for source in sources:
                if source not in current:
                    current.append(source)
            if len(current) > 1 and NONE in current:
                current.remove(NONE)
    return {name: tuple(sources) for name, sources in policy.items()}


def content_security_policy(settings: Mapping[str, Any]) -> str:
    """Return the site's Content-Security-Policy header value for Pelican ``settings``."""
    return "; ".join(f"{name} {' '.join(src)}" for name, src in csp_directives(settings).items())


def cache_rules(config: HeadersConfig, site_path: str = "") -> list[CacheRule]:
    """Return the ``Cache-Control`` rules of ``config``, most specific kind first; paths get
    ``site_path`` (``/blog``) in front. Anything else (the HTML) keeps :data:`HTML_CACHE`."""
    rules: list[CacheRule] = []
    for patterns, value in (
        (config.immutable_paths, IMMUTABLE_CACHE),
        (config.feed_paths, FEED_CACHE),
        (config.asset_paths, ASSET_CACHE),
    ):
        rules += [CacheRule(f"{site_path}{pattern}", value) for pattern in patterns]
    return rules


def cache_control(path: str, rules: list[CacheRule]) -> str:
    """Return the ``Cache-Control`` value for a request ``path``: the first rule matching,
    else :data:`HTML_CACHE`."""
    for rule in rules:
        if rule.pattern.endswith("*"):
            if path.startswith(rule.pattern[:-1]):
                return rule.value
        elif path == rule.pattern:
            return rule.value
    return HTML_CACHE
