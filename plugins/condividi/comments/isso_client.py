"""Isso's client in the page's language: settings and texts for ``embed.min.js``, per language.

Isso 0.14 reads its settings from the ``data-isso-*`` attributes of the page's ``<script>``
elements when its client starts; ``data-isso-<key>-text-<lang>`` replaces one of its texts.
Its Italian catalogue lacks some texts (the form's placeholders "John Doe",
"johndoe@example.com", ...), which it then shows in English, and words a few others wrongly
("Cancella" for Cancel). The site gives those texts from its own catalogues (``comments.po``,
whose message ids are Isso's English texts).

The settings and texts of one language are written by the build into one small script,
:func:`client_script`, that sets them as attributes on its own element and then adds Isso's
client: the article pages carry only that script's address, inside the inert
``<template id="isso-client">`` that ``comments.js`` activates near the thread, so the texts
cost the pages nothing.
"""

from __future__ import annotations

import gettext
import json
from collections.abc import Mapping

# Isso's text keys the site translates itself, with their English text in Isso 0.14 (the
# message id in the catalogues). The others are right in Isso's own Italian.
ISSO_TEXTS: Mapping[str, str] = {
    "postbox-author-placeholder": "John Doe",
    "postbox-email-placeholder": "johndoe@example.com",
    "postbox-website-placeholder": "https://example.com",
    "postbox-notification": "Subscribe to email notification of replies",
    "atom-feed": "Atom feed",
    "comment-page-author-suffix": "Author",
    "comment-cancel": "Cancel",
    "comment-hidden": "{{ n }} Hidden",
    "date-hour": "an hour ago\n{{ n }} hours ago",
    "date-day": "Yesterday\n{{ n }} days ago",
    "date-week": "last week\n{{ n }} weeks ago",
    "date-month": "last month\n{{ n }} months ago",
    "date-year": "last year\n{{ n }} years ago",
}


def client_path(static_dir: str, lang: str) -> str:
    """Return where the client script of pages in ``lang`` is written, relative to the site
    (``theme/js/isso-it.js`` for ``static_dir`` ``theme``)."""
    return f"{static_dir.strip('/')}/js/isso-{lang}.js"


def client_attributes(
    isso_url: str, lang: str, translations: gettext.NullTranslations
) -> dict[str, str]:
    """Return the ``data-isso*`` attributes of Isso's client on pages in ``lang``.

    Takes where browsers reach Isso, the page language and the site's catalogue for it. The
    texts of :data:`ISSO_TEXTS` that the catalogue translates become
    ``data-isso-<key>-text-<lang>``; untranslated ones (and English, whose ids are Isso's own
    texts) are left to Isso. A text with a line break gives Isso's singular and plural.
    """
    attributes = {
        "data-isso": isso_url,
        "data-isso-lang": lang,
        "data-isso-avatar": "false",
        "data-isso-vote": "false",
    }
    # Isso looks the override up under the language it settled on, lower case.
    suffix = lang.replace("_", "-").lower()
    for key, english in ISSO_TEXTS.items():
        text = translations.gettext(english)
        if text != english:
            attributes[f"data-isso-{key}-text-{suffix}"] = text
    return attributes


def client_script(attributes: Mapping[str, str]) -> str:
    """Return the script that starts Isso's client with ``attributes``.

    Run from the page (inserted by ``comments.js``), it sets the attributes on its own
    ``<script>`` element, where Isso reads them, then adds ``<data-isso>/js/embed.min.js``
    after itself.
    """
    data = json.dumps(dict(attributes), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c")  # never "</script>" or "<!--", whatever a text says
    return (
        "/* Isso's client with this site's settings and texts (condividi.comments). */\n"
        "(function(s,a){for(var k in a)s.setAttribute(k,a[k]);"
        'var c=document.createElement("script");c.src=a["data-isso"]+"/js/embed.min.js";'
        "s.parentNode.insertBefore(c,s.nextSibling)})(document.currentScript," + data + ");\n"
    )
