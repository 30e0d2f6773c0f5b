"""The redirect map: old addresses (a WordPress blog's permalinks) and where they lead now.

A plain text file the author may edit by hand, ``content/redirects.txt`` by default, one
redirect a line::

    # Old addresses and where they lead now: OLD NEW [STATUS]
    /2013/05/il-mio-post/   /il-mio-post/
    /?p=123                 /il-mio-post/
    /feed/                  /feeds/atom.xml   301

``OLD`` is a path on this site, starting with ``/``; it may end with a query (``/?p=123``).
``NEW`` is a path on this site or a full ``http(s)://`` URL. ``STATUS`` is 301 unless given
(one of 301, 302, 307, 308). Blank lines and lines starting with ``#`` are kept as they are.
The importers add lines with :func:`merge_redirects`, which never changes a line already there,
so the map survives later imports and edits by hand; the build publishes it (``_redirects``,
an nginx map, HTML pages at the old paths).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from condividi.files import write_atomically

STATUSES = (301, 302, 307, 308)
DEFAULT_FILE = "redirects.txt"
DEFAULT_STATUS = 301
# Characters a path or query keeps as they are; everything else is percent-encoded (UTF-8).
_SAFE = "/:@!$&'()*+,;=-._~?"

HEADER = (
    "# Old addresses and where they lead now, one a line: OLD NEW [STATUS] (301 when omitted).\n"
    "# OLD is a path on this site (it may end with ?query); NEW is a path here or a full URL.\n"
    "# The build publishes this map as _redirects, an nginx map and HTML pages at the old paths.\n"
)


class RedirectError(ValueError):
    """A line of the redirect map cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Redirect:
    """One redirect: the old path ``source`` leads to ``target`` with HTTP ``status``."""

    source: str
    target: str
    status: int = DEFAULT_STATUS

    @property
    def query(self) -> str:
        """The query part of the old address (``p=123``), or ``""``."""
        return urlsplit(self.source).query

    def line(self) -> str:
        """Return this redirect as a line of the map (without the newline)."""
        status = "" if self.status == DEFAULT_STATUS else f"   {self.status}"
        return f"{self.source}   {self.target}{status}"


@dataclass(frozen=True)
class MapEntry:
    """A redirect and the line of the map that holds it, for messages naming ``file:line``."""

    redirect: Redirect
    file: str
    number: int

    @property
    def where(self) -> str:
        """Return ``file:line`` of this redirect in its map."""
        return f"{self.file}:{self.number}"


@dataclass
class MergeReport:
    """What :func:`merge_redirects` did: lines ``added``, ones already there (``unchanged``),
    and ``conflicts``: new redirects whose old path the map already sends elsewhere (the map's
    line is kept; each entry is ``(kept, not_added)``)."""

    added: list[Redirect] = field(default_factory=list)
    unchanged: list[Redirect] = field(default_factory=list)
    conflicts: list[tuple[Redirect, Redirect]] = field(default_factory=list)


def normalize_path(path: str) -> str:
    """Return ``path`` percent-encoded one canonical way (UTF-8, upper-case hex).

    ``/perch%c3%a9/``, ``/perch%C3%A9/`` and ``/perché/`` all give ``/perch%C3%A9/``, so the
    same old address is never listed twice. Raises :class:`ValueError` for a path that does not
    start with ``/`` or holds whitespace.
    """
    if not path.startswith("/"):
        raise ValueError(f"{path!r} is not a path on this site: it must start with '/'")
    if any(character.isspace() for character in path):
        raise ValueError(f"{path!r} holds whitespace: percent-encode it (%20)")
    return quote(unquote(path), safe=_SAFE)


def make_redirect(source: str, target: str, status: int = DEFAULT_STATUS) -> Redirect:
    """Return a checked :class:`Redirect`, ``source`` (and a path ``target``) normalized.

    Raises :class:`ValueError` naming what is wrong: an old path not starting with ``/``, a
    target that is neither a path nor an ``http(s)`` URL, an unknown status, or a redirect
    that leads to itself.
    """
    source = normalize_path(source)
    if target.startswith("/"):
        target = normalize_path(target)
    elif urlsplit(target).scheme not in ("http", "https") or not urlsplit(target).netloc:
        raise ValueError(f"{target!r} is neither a path on this site ('/…') nor an http(s) URL")
    if status not in STATUSES:
        raise ValueError(f"status {status} is not one of {', '.join(map(str, STATUSES))}")
    if source == target:
        raise ValueError(f"{source} leads to itself")
    return Redirect(source, target, status)


def parse_line(text: str) -> Redirect | None:
    """Return the redirect of one line of the map, or ``None`` for a blank or comment line.

    Raises :class:`ValueError` naming the problem (the caller adds the file and line).
    """
    words = text.split()
    if not words or words[0].startswith("#"):
        return None
    if len(words) not in (2, 3):
        raise ValueError(f"expected 'OLD NEW [STATUS]', found {len(words)} words")
    status = DEFAULT_STATUS
    if len(words) == 3:
        if not words[2].isdigit():
            raise ValueError(f"status {words[2]!r} is not a number")
        status = int(words[2])
    return make_redirect(words[0], words[1], status)


def parse_entries(text: str, source: str = DEFAULT_FILE) -> list[MapEntry]:
    """Return the redirects of a map's ``text`` with their line numbers, in order.

    ``source`` names the file in messages. Raises :class:`RedirectError` naming
    ``source:line`` for a line that cannot be read, and for an old path listed twice with two
    different targets (both lines named); an exact repeat is read once (its first line).
    """
    entries: dict[str, MapEntry] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            redirect = parse_line(line)
        except ValueError as error:
            raise RedirectError(f"{source}:{number}: {error}") from None
        if redirect is None:
            continue
        earlier = entries.get(redirect.source)
        if earlier is None:
            entries[redirect.source] = MapEntry(redirect, source, number)
        elif earlier.redirect != redirect:
            raise RedirectError(
                f"{source}:{number}: {redirect.source} already leads to "
                f"{earlier.redirect.target} (line {earlier.number}); keep one of the two lines"
            )
    return list(entries.values())


def parse_redirects(text: str, source: str = DEFAULT_FILE) -> list[Redirect]:
    """Return the redirects of a map's ``text``, in order (see :func:`parse_entries`)."""
    return [entry.redirect for entry in parse_entries(text, source)]


def read_entries(path: Path, name: str | None = None) -> list[MapEntry]:
    """Return the redirects of the map file at ``path`` with their lines; a missing file has none.

    ``name`` is how messages call the file (``path`` itself by default). Raises
    :class:`RedirectError` naming the file and line of a line that cannot be used, or the file
    when it is not UTF-8 text.
    """
    name = str(path) if name is None else name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as error:
        raise RedirectError(f"{name}: not UTF-8 text ({error.reason})") from None
    return parse_entries(text, name)


def read_redirects(path: Path) -> list[Redirect]:
    """Return the redirects of the map file at ``path``; a missing file has none.

    Raises :class:`RedirectError` naming the file and line of a line that cannot be used, or
    the file when it is not UTF-8 text.
    """
    return [entry.redirect for entry in read_entries(path)]


def redirects_file(settings: Mapping[str, Any]) -> Path:
    """Return the map file of Pelican ``settings``: ``REDIRECTS_FILE`` (``redirects.txt``) in
    the content folder (``PATH``); an absolute ``REDIRECTS_FILE`` is used as it is."""
    return Path(settings["PATH"]) / str(settings.get("REDIRECTS_FILE") or DEFAULT_FILE)


def merge_redirects(
    path: Path, new: Iterable[Redirect], *, comment: str = "", write: bool = True
) -> MergeReport:
    """Add the redirects ``new`` to the map at ``path``, never changing a line already there.

    A new redirect whose old path the map already has is ``unchanged`` (same target) or a
    conflict (another target: the map's line wins). The added lines go at the end, after
    ``comment`` (a ``# …`` line, when given); a new file starts with :data:`HEADER`. The file is
    replaced atomically, and only when something was added and ``write`` is true (a dry run).
    Returns the :class:`MergeReport`; raises :class:`RedirectError` if the map cannot be read.
    """
    existing = {redirect.source: redirect for redirect in read_redirects(path)}
    report = MergeReport()
    for redirect in new:
        kept = existing.get(redirect.source)
        if kept is None:
            existing[redirect.source] = redirect
            report.added.append(redirect)
        elif kept == redirect:
            report.unchanged.append(redirect)
        else:
            report.conflicts.append((kept, redirect))
    if report.added and write:
        text = path.read_text(encoding="utf-8") if path.exists() else HEADER
        if text and not text.endswith("\n"):
            text += "\n"
        if comment:
            text += f"\n# {comment.lstrip('# ')}\n"
        text += "".join(f"{redirect.line()}\n" for redirect in report.added)
        write_atomically(path, text)
    return report
