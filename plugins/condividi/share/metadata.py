"""Social metadata: the canonical link, Open Graph, the Twitter card and JSON-LD, as plain data.

Pure functions over plain values (no Pelican objects): :mod:`condividi.share.plugin` feeds them
and ``partials/head_share.html`` renders what they return.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel.core import Locale, UnknownLocaleError, get_global
from markupsafe import Markup

from condividi.share.networks import ShareLink

DESCRIPTION_LIMIT = 300
HEADLINE_LIMIT = 110  # what search engines show of a BlogPosting headline


@dataclass(frozen=True)
class SocialImage:
    """The image a shared link shows: absolute URL, size in pixels (when known), alt text."""

    url: str
    alt: str
    width: int | None = None
    height: int | None = None
    mime: str = ""


@dataclass(frozen=True)
class Person:
    """An author: name and, when the site has an author page, its absolute URL."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class SocialMeta:
    """Everything ``head_share.html`` writes for one page.

    ``kind`` is ``article`` (a post) or ``website`` (the home page, a page); ``json_ld`` is
    ready to sit inside ``<script type="application/ld+json">``.
    """

    kind: str
    canonical: str
    title: str
    description: str
    site_name: str
    locale: str
    json_ld: Markup
    image: SocialImage | None = None
    alternate_locales: tuple[str, ...] = ()
    published: str = ""
    modified: str = ""
    tags: tuple[str, ...] = ()
    x_account: str = ""


@dataclass(frozen=True)
class Sharing:
    """What the theme reads from ``article.sharing`` / ``page.sharing``.

    ``url`` is the canonical URL (the one "Copy link" and "Share…" use), ``title`` the plain
    title, ``links`` the share bar (empty for pages), ``meta`` the head's metadata.
    """

    url: str
    title: str
    meta: SocialMeta
    links: tuple[ShareLink, ...] = field(default=())


def plain_text(html: str) -> str:
    """Return the text of an HTML fragment: tags and comments dropped, entities decoded,
    whitespace collapsed."""
    return Markup(html or "").striptags()


def truncate(text: str, limit: int) -> str:
    """Return ``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis
    when it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:–-") + "…"


def absolute_url(siteurl: str, path: str) -> str:
    """Return ``path`` (relative to the site root) joined to ``siteurl``."""
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}"


@lru_cache(maxsize=64)
def og_locale(lang: str) -> str:
    """Return the Open Graph locale (``it_IT``, ``en_US``) of a language code.

    A bare language gets its most likely territory from CLDR; a code Babel does not know
    is returned as it was.
    """
    code = lang.replace("-", "_")
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely = get_global("likely_subtags").get(locale.language, "")
    territory = likely.rsplit("_", 1)[-1] if "_" in likely else ""
    return f"{locale.language}_{territory}" if territory.isupper() else locale.language


def script_json(data: Mapping[str, Any]) -> Markup:
    """Return ``data`` as JSON that is safe inside ``<script>``: ``<``, ``>`` and ``&`` are
    written as ``\\u`` escapes, so no value can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _image_ld(image: SocialImage | None) -> dict[str, Any] | None:
    if image is None:
        return None
    data: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if image.width and image.height:
        data.update(width=image.width, height=image.height)
    return data


def _organization(site_name: str, siteurl: str) -> dict[str, Any]:
    return {"@type": "Organization", "name": site_name, "url": absolute_url(siteurl, "")}


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], ())}


def article_meta(
    *,
    canonical: str,
    title: str,
    description: str,
    siteurl: str,
    site_name: str,
    lang: str,
    published: str,
    modified: str = "",
    tags: Iterable[str] = (),
    authors: Iterable[Person] = (),
    image: SocialImage | None = None,
    alternate_langs: Iterable[str] = (),
    x_account: str = "",
) -> SocialMeta:
    """Return the metadata of a post: Open Graph ``article`` and a JSON-LD ``BlogPosting``.

    Dates are ISO 8601 strings with their offset; ``modified`` defaults to ``published``.
    """
    tags = tuple(tags)
    modified = modified or published
    description = truncate(description, DESCRIPTION_LIMIT)
    json_ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": truncate(title, HEADLINE_LIMIT),
        "description": description,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "datePublished": published,
        "dateModified": modified,
        "inLanguage": lang,
        "keywords": list(tags),
        "image": _image_ld(image),
        "author": [
            _without_empty({"@type": "Person", "name": a.name, "url": a.url}) for a in authors
        ],
        "publisher": _organization(site_name, siteurl),
    }
    return SocialMeta(
        kind="article",
        canonical=canonical,
        title=title,
        description=description,
        site_name=site_name,
        locale=og_locale(lang),
        json_ld=script_json(_without_empty(json_ld)),
        image=image,
        alternate_locales=tuple(og_locale(other) for other in alternate_langs),
        published=published,
        modified=modified,
        tags=tags,
        x_account=x_account,
    )


def website_meta(
    *,
    canonical: str,
    title: str,
    description: str,
    siteurl: str,
    site_name: str,
    lang: str,
    image: SocialImage | None = None,
    alternate_langs: Iterable[str] = (),
    x_account: str = "",
    home: bool = False,
) -> SocialMeta:
    """Return website-level metadata: the home page (JSON-LD ``WebSite``) or a page
    (``WebPage``, part of the site); Open Graph type ``website`` for both."""
    description = truncate(description, DESCRIPTION_LIMIT)
    json_ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebSite" if home else "WebPage",
        "name": title,
        "description": description,
        "url": canonical,
        "inLanguage": lang,
        "image": _image_ld(image),
    }
    if home:
        json_ld["publisher"] = _organization(site_name, siteurl)
    else:
        json_ld["isPartOf"] = {
            "@type": "WebSite",
            "name": site_name,
            "url": absolute_url(siteurl, ""),
        }
    return SocialMeta(
        kind="website",
        canonical=canonical,
        title=title,
        description=description,
        site_name=site_name,
        locale=og_locale(lang),
        json_ld=script_json(_without_empty(json_ld)),
        image=image,
        alternate_locales=tuple(og_locale(other) for other in alternate_langs),
        x_account=x_account,
    )
