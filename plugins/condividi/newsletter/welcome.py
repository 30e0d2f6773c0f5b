"""The welcome mail a reader gets once, after confirming: written by the author in Markdown.

The author writes ``content/newsletter/welcome.md`` (the site's language, ``DEFAULT_LANG``) and
``welcome.<lang>.md`` for each other language (``welcome.en.md``)::

    Subject: Benvenuta, benvenuto!

    Grazie per esserti iscritta, iscritto. ...

The first lines up to a blank line are headers; ``Subject:`` is required. Each build that
succeeds renders every language (:func:`render_welcome`) with the newest posts in that language
appended, and writes it as JSON beside the local provider's database
(``var/newsletter/welcome/<lang>.json``), where the provider reads it when a reader confirms
(:mod:`condividi.newsletter.providers.local`). Hosted providers send their own welcome
(docs/providers.md); nothing here reaches them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import markdown

from condividi.config import ConfigError, load_config, project_path
from condividi.files import write_atomically
from condividi.html import html_to_text
from condividi.i18n import load_catalogue
from condividi.newsletter.providers.base import UNSUBSCRIBE_PLACEHOLDER

_SOURCE_NAME = re.compile(r"^welcome(?:\.(?P<lang>[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*))?\.md$")
_HEADER = re.compile(r"^(?P<name>[A-Za-z][A-Za-z-]*):\s*(?P<value>.*)$")


class WelcomeError(ValueError):
    """A welcome file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class WelcomeConfig:
    """The ``NEWSLETTER_WELCOME_*`` settings, without that prefix."""

    # Send the welcome mail at all (the local provider; hosted ones have their own).
    enabled: bool = True
    # The folder of welcome.md and welcome.<lang>.md, inside the content folder.
    path: str = "newsletter"
    # How many of the newest posts in the reader's language the mail lists.
    posts: int = 3


@dataclass(frozen=True)
class WelcomeSource:
    """One language's welcome as the author wrote it."""

    lang: str
    subject: str
    body: str
    source: str


@dataclass(frozen=True)
class LatestPost:
    """A post the welcome mail lists: title, absolute URL and language."""

    title: str
    url: str
    lang: str


@dataclass(frozen=True)
class WelcomeMail:
    """A rendered welcome: subject, HTML and text (both with the unsubscribe placeholder)."""

    lang: str
    subject: str
    html: str
    text: str


def welcome_config(settings: Mapping[str, Any]) -> WelcomeConfig:
    """Return the welcome settings of Pelican ``settings``; raise :class:`ConfigError`
    naming the setting for a wrong type or a negative ``NEWSLETTER_WELCOME_POSTS``."""
    config = load_config(WelcomeConfig, settings, "NEWSLETTER_WELCOME")
    if config.posts < 0:
        raise ConfigError(f"setting NEWSLETTER_WELCOME_POSTS = {config.posts}: must be 0 or more")
    return config


def welcome_folder(config_local_db: str | Path) -> Path:
    """Return where rendered welcomes live: ``welcome/`` beside the local provider's database
    (``var/newsletter/welcome/``), the one place the build and the endpoint both know."""
    return Path(config_local_db).parent / "welcome"


def parse_welcome(text: str, lang: str, source: str) -> WelcomeSource:
    """Return the welcome written in ``text`` (headers, a blank line, Markdown).

    Raises :class:`WelcomeError` naming ``source`` when there is no ``Subject:`` or no body.
    """
    headers: dict[str, str] = {}
    lines = text.lstrip("\ufeff").splitlines()
    index = 0
    while index < len(lines) and lines[index].strip():
        match = _HEADER.match(lines[index])
        if match is None:
            break
        headers[match["name"].lower()] = match["value"].strip()
        index += 1
    body = "\n".join(lines[index:]).strip()
    subject = headers.get("subject") or headers.get("title") or ""
    if not subject:
        raise WelcomeError(f"{source}: the welcome mail needs a 'Subject:' line at the top")
    if not body:
        raise WelcomeError(f"{source}: the welcome mail has a subject but no text")
    return WelcomeSource(lang=lang, subject=subject, body=body, source=source)


def read_sources(folder: Path, default_lang: str, name: str) -> list[WelcomeSource]:
    """Return every welcome in ``folder`` (``welcome.md`` in ``default_lang``, each
    ``welcome.<lang>.md`` in its own), ``[]`` when there is none. ``name`` is how messages
    name the folder (``content/newsletter``)."""
    if not folder.is_dir():
        return []
    sources = []
    for path in sorted(folder.iterdir()):
        match = _SOURCE_NAME.match(path.name)
        if match is None:
            continue
        lang = (match["lang"] or default_lang).replace("_", "-")
        sources.append(parse_welcome(path.read_text(encoding="utf-8"), lang, f"{name}/{path.name}"))
    langs = [source.lang for source in sources]
    if len(langs) != len(set(langs)):
        raise WelcomeError(
            f"{name}: two welcome files are in the same language ({default_lang} is welcome.md)"
        )
    return sources


def latest_posts(posts: Sequence[LatestPost], lang: str, count: int) -> list[LatestPost]:
    """Return the first ``count`` of ``posts`` (newest first) in ``lang``, or in any language
    when none is in ``lang``."""
    same = [post for post in posts if post.lang == lang]
    return list(same or posts)[:count]


def render_welcome(
    source: WelcomeSource, posts: Sequence[LatestPost], sitename: str, localedir: str
) -> WelcomeMail:
    """Return the welcome mail of ``source`` with ``posts`` listed after the author's text
    and an unsubscribe line (:data:`UNSUBSCRIBE_PLACEHOLDER`, replaced per reader)."""
    _ = load_catalogue(localedir, source.lang).gettext
    body = markdown.markdown(source.body, extensions=["extra", "sane_lists"])
    parts = [f'<div lang="{html.escape(source.lang)}">', body]
    if posts:
        items = "".join(
            f'<li><a href="{html.escape(post.url)}">{html.escape(post.title)}</a></li>'
            for post in posts
        )
        parts.append(f"<h2>{html.escape(_('The latest posts'))}</h2><ul>{items}</ul>")
    unsubscribe = html.escape(_("Unsubscribe"))
    parts.append(
        f'<p><small>{html.escape(sitename)} · <a href="{UNSUBSCRIBE_PLACEHOLDER}">'
        f"{unsubscribe}</a></small></p></div>"
    )
    fragment = "\n".join(parts)
    document = (
        f'<!DOCTYPE html><html lang="{html.escape(source.lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(source.subject)}</title></head><body>{fragment}</body></html>"
    )
    text = html_to_text(fragment)
    return WelcomeMail(lang=source.lang, subject=source.subject, html=document, text=text)


INDEX = "index.json"


def write_welcomes(folder: Path, mails: Sequence[WelcomeMail], default_lang: str) -> None:
    """Replace the rendered welcomes in ``folder`` with ``mails`` (one ``<lang>.json`` each,
    and ``index.json`` naming the site's language); a language no longer written is removed,
    so deleting welcome.md stops the mail."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{mail.lang}.json" for mail in mails}
    for mail in mails:
        write_atomically(folder / f"{mail.lang}.json", json.dumps(asdict(mail), ensure_ascii=False))
    write_atomically(folder / INDEX, json.dumps({"default_lang": default_lang}))
    for stale in folder.glob("*.json"):
        if stale.name not in wanted and stale.name != INDEX:
            stale.unlink()


def load_welcome(folder: Path, lang: str) -> WelcomeMail | None:
    """Return the rendered welcome for a reader of ``lang``, else the one in the site's
    language, or ``None`` when the site has none (or it cannot be read)."""
    try:
        default_lang = json.loads((folder / INDEX).read_text(encoding="utf-8"))["default_lang"]
    except (OSError, ValueError, KeyError, TypeError):
        default_lang = None
    for candidate in (lang, default_lang):
        path = folder / f"{candidate}.json"
        if candidate and path.is_file():
            try:
                return WelcomeMail(**json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                return None
    return None


def source_folder(settings: Mapping[str, Any], config: WelcomeConfig) -> Path:
    """Return the folder of the welcome files: ``NEWSLETTER_WELCOME_PATH`` in the content
    folder (``PATH``)."""
    return project_path(settings, Path(str(settings["PATH"])) / config.path)
