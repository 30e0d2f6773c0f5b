"""The browser-friendly face of the feeds: an XSLT stylesheet rendered in the site's language.

A feed opened in a browser is turned by ``<?xml-stylesheet?>`` into a page that explains how
to subscribe. The stylesheet is a Jinja template of the theme (``feeds/stile.xsl``), rendered
once per build with the site's gettext catalogue; dates are written with Babel's month names
and long-date pattern for that language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from babel.dates import get_date_format, get_month_names
from jinja2 import Environment, TemplateNotFound

from condividi.config import ConfigError

TEMPLATE = "feeds/stile.xsl"
_PATTERN_TOKEN = re.compile(r"'([^']*)'|(d+|[ML]+|y+)|([^'dMLy]+)")


def date_parts(lang: str) -> list[tuple[str, str]]:
    """Return the long date pattern of ``lang`` as ``(kind, text)`` pieces.

    ``kind`` is ``day``, ``month``, ``year`` or ``text`` (then ``text`` is the literal):
    ``"it"`` gives day, " ", month, " ", year; ``"en"`` gives month, " ", day, ", ", year.
    """
    parts: list[tuple[str, str]] = []
    for match in _PATTERN_TOKEN.finditer(get_date_format("long", locale=lang).pattern):
        quoted, field, literal = match.groups()
        if field:
            kind = {"d": "day", "M": "month", "L": "month", "y": "year"}[field[0]]
            parts.append((kind, ""))
        else:
            text = literal if literal is not None else (quoted or "'")
            parts.append(("text", text))
    return parts


def month_names(lang: str) -> list[str]:
    """Return the twelve month names of ``lang`` as used in a date ("marzo", "March")."""
    names = get_month_names("wide", context="format", locale=lang)
    return [names[number] for number in range(1, 13)]


def render_stylesheet(env: Environment, context: Mapping[str, Any]) -> str:
    """Render the theme's feed stylesheet with ``env`` and the site ``context``.

    The context must carry ``DEFAULT_LANG`` (the page language), ``SITEURL`` and the rest of
    Pelican's settings. Returns the XSLT document; raises :class:`ConfigError` if the theme
    has no such template.
    """
    try:
        template = env.get_template(TEMPLATE)
    except TemplateNotFound as error:
        raise ConfigError(
            f"the theme has no templates/{TEMPLATE}: add it, or set FEEDS_STYLESHEET_SAVE_AS "
            "= '' to write feeds without the browser stylesheet"
        ) from error
    lang = str(context.get("DEFAULT_LANG") or "it")
    return template.render(
        {**context, "FEEDS_DATE_PARTS": date_parts(lang), "FEEDS_MONTHS": month_names(lang)}
    )
