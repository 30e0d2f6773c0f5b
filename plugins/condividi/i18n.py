"""Interface translations: gettext catalogues installed into Pelican's Jinja environments.

Pelican core installs no translations (its templates have none). This module loads the theme's
``translations/<lang>/LC_MESSAGES/*.po`` catalogues with Babel (one file per capability:
``messages.po`` for the theme, ``share.po``, ``newsletter.po``, ...) and installs gettext
callables that pick the catalogue of the page being rendered: an English article gets the
English interface on an otherwise Italian site.
"""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

DOMAIN = "messages"


@lru_cache(maxsize=32)
def load_catalogue(localedir: str, lang: str) -> gettext_module.NullTranslations:
    """Return the translations for ``lang`` read from ``localedir``.

    Takes the folder holding ``<lang>/LC_MESSAGES/*.po`` and a language code; merges every
    catalogue found there and returns it, or ``NullTranslations`` (the source strings) when
    there is none for that language.
    """
    po_paths = sorted((Path(localedir) / lang / "LC_MESSAGES").glob("*.po"))
    if not po_paths:
        return gettext_module.NullTranslations()
    catalogue = Catalog(locale=lang, domain=DOMAIN)
    for po_path in po_paths:
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale=lang):
                if message.id and message.string:
                    catalogue[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def page_lang(context: Mapping[str, Any]) -> str:
    """Return the language of the page a template context renders.

    Takes a Jinja (or plain) context; returns the ``lang`` of its article or page, else the
    ``lang`` a plugin gives a page it renders itself in several languages (the subscribe
    page), falling back to the site's ``DEFAULT_LANG``.
    """
    for key in ("article", "page"):
        content = context.get(key)
        lang = getattr(content, "lang", None)
        if lang:
            return str(lang)
    lang = context.get("lang")
    if isinstance(lang, str) and lang:
        return lang
    return str(context.get("DEFAULT_LANG") or "it")


def translations_for(context: Mapping[str, Any]) -> gettext_module.NullTranslations:
    """Return the catalogue for the page a template context renders."""
    localedir = context.get("CONDIVIDI_LOCALEDIR") or ""
    return load_catalogue(str(localedir), page_lang(context))


# The callables follow Jinja's "newstyle" gettext (the result is always %-formatted with the
# keyword arguments; ``ngettext`` adds ``num``) but are installed directly as the template
# globals: Jinja's own wrappers add two more dispatches to each of the thousands of ``_()``
# calls a large site makes, and cost more than the lookup itself.


def _finish(context: Context, text: str, variables: dict[str, Any]) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _gettext(context: Context, message: str, /, **variables: Any) -> str:
    return _finish(context, translations_for(context).gettext(message), variables)


@pass_context
def _ngettext(
    context: Context, singular: str, plural: str, number: int, /, **variables: Any
) -> str:
    variables.setdefault("num", number)
    text = translations_for(context).ngettext(singular, plural, number)
    return _finish(context, text, variables)


@pass_context
def _pgettext(context: Context, msgctxt: str, message: str, /, **variables: Any) -> str:
    variables.setdefault("context", msgctxt)
    return _finish(context, translations_for(context).pgettext(msgctxt, message), variables)


@pass_context
def _npgettext(
    context: Context, msgctxt: str, singular: str, plural: str, number: int, /, **variables: Any
) -> str:
    variables.setdefault("context", msgctxt)
    variables.setdefault("num", number)
    text = translations_for(context).npgettext(msgctxt, singular, plural, number)
    return _finish(context, text, variables)


@pass_context
def _page_lang(context: Context) -> str:
    return page_lang(context)


def install(env: Environment) -> None:
    """Add Jinja's i18n extension to ``env`` and install the page-aware gettext callables.

    Also adds the global ``page_lang()``: the language of the page being rendered.
    """
    env.add_extension("jinja2.ext.i18n")
    env.globals["page_lang"] = _page_lang
    # What ``install_gettext_callables(newstyle=True)`` does, minus its wrappers (see above);
    # ``{% trans %}`` blocks call these same globals.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(
        _=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
