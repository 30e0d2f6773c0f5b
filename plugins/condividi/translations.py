"""A post or page and its translations, linked both ways.

Pelican pairs a post with its translations by ``Slug`` (``article.translations``). This module
turns that pairing into what the theme and the sitemap need: every language version of a
page with its absolute URL, the ``x-default`` version, and the "Read in English" /
"Leggi in italiano" link text, written in the language it leads to.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from jinja2 import Environment

from condividi import i18n


@dataclass(frozen=True)
class LanguageVersion:
    """One language version of a page: its language code, absolute URL and title."""

    lang: str
    url: str
    title: str


def absolute(siteurl: str, url: str) -> str:
    """Return the site path ``url`` (``en/slug/``) as an absolute URL on ``siteurl``."""
    return f"{siteurl.rstrip('/')}/{url.lstrip('/')}"


def language_versions(content: Any, siteurl: str) -> tuple[LanguageVersion, ...]:
    """Return every language version of ``content`` (itself included), sorted by language.

    Takes a Pelican article or page and the site's absolute ``SITEURL``; returns ``()`` when
    it has no translation (a page in one language needs no alternates).
    """
    translations = list(getattr(content, "translations", None) or ())
    if not translations:
        return ()
    versions = {
        str(item.lang): LanguageVersion(str(item.lang), absolute(siteurl, item.url), item.title)
        for item in (content, *translations)
    }
    return tuple(versions[lang] for lang in sorted(versions))


def default_version(
    versions: Sequence[LanguageVersion], default_lang: str
) -> LanguageVersion | None:
    """Return the version ``x-default`` names: the one in ``default_lang``, else the first.

    Takes the result of :func:`language_versions`; ``None`` when it is empty.
    """
    if not versions:
        return None
    return next((v for v in versions if v.lang == default_lang), versions[0])


@lru_cache(maxsize=32)
def language_name(lang: str) -> str:
    """Return the name of ``lang`` in that language (``"it"`` gives ``"italiano"``), or the
    code itself when Babel does not know it."""
    try:
        return Locale.parse(lang).get_display_name(lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang


def read_in(lang: str, localedir: str) -> str:
    """Return the link text leading to the ``lang`` version, in ``lang`` itself ("Read in
    English", "Leggi in italiano"), from the theme's catalogues in ``localedir``."""
    catalogue = i18n.load_catalogue(localedir, lang)
    return catalogue.gettext("Read in %(language)s") % {"language": language_name(lang)}


def install(env: Environment, settings: dict[str, Any], localedir: str) -> None:
    """Give templates ``language_versions(content)``, ``default_version(versions)`` and
    ``read_in(lang)``, bound to the site's ``SITEURL``, ``DEFAULT_LANG`` and catalogues."""
    siteurl = str(settings.get("SITEURL") or "")
    default_lang = str(settings.get("DEFAULT_LANG") or "it")
    env.globals["language_versions"] = functools.partial(language_versions, siteurl=siteurl)
    env.globals["default_version"] = functools.partial(default_version, default_lang=default_lang)
    env.globals["read_in"] = functools.partial(read_in, localedir=localedir)
