"""The redirect map checked against the site a build wrote: what to publish, and what is wrong.

Pure functions over plain facts about the build (the files in the output, the posts that are
not published yet), so every rule is tested without a build:

- a chain (``A → B``, ``B → C``) is published as ``A → C``; a loop is an error;
- an old path that is a page (or any file) the site writes is an error: a redirect there would
  hide the page on hosts that redirect, and the HTML page would overwrite it on the others;
- a target on this site that the build did not write is an error in a publish build, and a
  warning in a development build (the redirect is left out); a target that is a draft or a
  post dated in the future is left out with a warning in both, until the post is published;
- an old path that can be a file, and is neither a query (``/?p=123``) nor a feed, gets an
  HTML page (:func:`page_file`) for hosts without redirects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from condividi.migrate.redirect_map import MapEntry, normalize_path

# WordPress's feeds: /feed/, /comments/feed/, /category/x/feed/, /2013/05/post/feed/, /feed/atom/.
FEED_SEGMENT = "feed"
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
PAGE_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class PlannedRedirect:
    """A redirect to publish: ``source`` leads to the final ``target`` with ``status``.

    ``where`` is the map's ``file:line``; ``page`` the output file of its HTML page (a path
    relative to the output folder, not percent-encoded), or ``None`` when it gets none.
    """

    source: str
    target: str
    status: int
    where: str
    page: str | None = None

    @property
    def path(self) -> str:
        """The path of the old address, without its query."""
        return urlsplit(self.source).path

    @property
    def query(self) -> str:
        """The query of the old address (``p=123``), or ``""``."""
        return urlsplit(self.source).query


@dataclass
class Plan:
    """The redirects to publish, and the build's ``errors``, ``warnings`` and ``notes``."""

    redirects: list[PlannedRedirect] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_site_path(target: str) -> bool:
    """Tell whether ``target`` is a path on this site rather than a full URL."""
    return target.startswith("/")


def output_files(path: str) -> tuple[str, ...]:
    """Return the output files that may serve the site path ``path`` (query and fragment
    ignored), relative to the output folder and decoded: ``/a/`` gives ``a/index.html``;
    ``/a`` gives ``a`` and ``a/index.html``; ``/`` gives ``index.html``."""
    relative = unquote(urlsplit(path).path).lstrip("/")
    if relative == "" or relative.endswith("/"):
        return (f"{relative}index.html",)
    return (relative, f"{relative}/index.html")


def page_file(source: str) -> str | None:
    """Return the output file of the HTML page at the old path ``source``, or ``None``.

    ``/2013/05/post/`` and ``/2013/05/post`` give ``2013/05/post/index.html``;
    ``/old.html`` gives ``old.html``. A query (``/?p=123``) cannot be a file, and a path
    with another extension (``/page.php``, ``/image.jpg``) would be served as something other
    than a page, so those get none.
    """
    parts = urlsplit(source)
    if parts.query:
        return None
    relative = unquote(parts.path).lstrip("/")
    if relative == "" or relative.endswith("/"):
        return f"{relative}index.html"
    last = relative.rsplit("/", 1)[-1]
    if last.lower().endswith(PAGE_SUFFIXES):
        return relative
    if "." not in last:
        return f"{relative}/index.html"
    return None


def is_feed(source: str, target: str) -> bool:
    """Tell whether the redirect of ``source`` to ``target`` is for feed readers.

    A feed's old address has a ``feed`` segment (``/feed/``, ``/comments/feed/``) or a
    ``feed`` parameter (``/?feed=rss2``); a feed's new one ends in ``.xml`` (``.rss``,
    ``.atom``, ``.rdf``). Feed readers follow real redirects only, never an HTML page.
    """
    parts = urlsplit(source)
    segments = unquote(parts.path).lower().split("/")
    if FEED_SEGMENT in segments:
        return True
    if any(name.lower() == FEED_SEGMENT for name, _ in parse_qsl(parts.query, True)):
        return True
    return urlsplit(target).path.lower().endswith(FEED_SUFFIXES)


def resolve_chains(entries: Iterable[MapEntry]) -> tuple[dict[str, list[MapEntry]], list[str]]:
    """Follow every redirect whose target is the old path of another one.

    Takes the map's entries; returns, for each old path not caught in a loop, the entries its
    redirect goes through (its own first, the one giving the final target last), and one
    error per loop naming the lines that make it.
    """
    by_source = {entry.redirect.source: entry for entry in entries}
    hops: dict[str, list[MapEntry]] = {}
    errors: list[str] = []
    reported: set[frozenset[str]] = set()
    for source, entry in by_source.items():
        path = [entry]
        seen = {source}
        while path[-1].redirect.target in by_source:
            target = path[-1].redirect.target
            if target in seen:
                loop = path[[e.redirect.source for e in path].index(target) :]
                key = frozenset(e.redirect.source for e in loop)
                if key not in reported:
                    reported.add(key)
                    steps = " → ".join([*(e.redirect.source for e in loop), target])
                    lines = ", ".join(str(e.number) for e in loop)
                    errors.append(
                        f"{loop[0].where}: the redirects {steps} make a loop "
                        f"(lines {lines}): change one of the targets"
                    )
                path = []
                break
            seen.add(target)
            path.append(by_source[target])
        if path:
            hops[source] = path
    return hops, errors


def plan_redirects(
    entries: Iterable[MapEntry],
    site_files: Mapping[str, str],
    pending: Mapping[str, str],
    *,
    strict: bool,
    html_pages: bool,
) -> Plan:
    """Check the map's ``entries`` against the build and return the :class:`Plan`.

    ``site_files`` maps each file in the output (relative, decoded: ``perché/index.html``) to
    what wrote it (its content file, or the output path); ``pending`` maps the would-be path of
    each post not yet published (``/post/``, normalized) to its content file. ``strict`` (a
    publish build) makes a missing target an error rather than a warning; ``html_pages`` asks
    for an HTML page at each old path that can have one.
    """
    entries = list(entries)
    plan = Plan()
    hops, plan.errors = resolve_chains(entries)
    pages_taken: dict[str, str] = {}
    for entry in entries:
        chain = hops.get(entry.redirect.source)
        if chain is None:
            continue  # a loop, already reported
        source, status = entry.redirect.source, entry.redirect.status
        target = chain[-1].redirect.target
        if len(chain) > 1:
            steps = " → ".join([source, *(e.redirect.target for e in chain)])
            lines = ", ".join(str(e.number) for e in chain)
            plan.notes.append(
                f"{entry.where}: {steps} (lines {lines}) is published as {source} → {target}"
            )
        hidden = _written(site_files, urlsplit(source).path) if not urlsplit(source).query else None
        if hidden is not None:
            plan.errors.append(
                f"{entry.where}: {source} is a page the site writes ({hidden}): a redirect "
                "there would hide the page; remove the line, or give the page another URL"
            )
            continue
        if is_site_path(target) and _written(site_files, target) is None:
            draft = pending.get(_normal(target))
            if draft is not None:
                plan.warnings.append(
                    f"{entry.where}: {source} leads to {target}, a post not published yet "
                    f"({draft}); the redirect is left out until it is"
                )
            elif strict:
                plan.errors.append(
                    f"{entry.where}: {source} leads to {target}, which the site does not have "
                    f"(no {' or '.join(output_files(target))} in the output)"
                )
            else:
                plan.warnings.append(
                    f"{entry.where}: {source} leads to {target}, which the site does not have "
                    f"(no {' or '.join(output_files(target))} in the output); left out of "
                    "this build, and an error in a publish build"
                )
            continue
        page = page_file(source) if html_pages and not is_feed(source, target) else None
        if page is not None and page in pages_taken:
            plan.notes.append(
                f"{entry.where}: {source} has no HTML page of its own: {page} is the page of "
                f"{pages_taken[page]}"
            )
            page = None
        if page is not None:
            pages_taken[page] = source
        plan.redirects.append(PlannedRedirect(source, target, status, entry.where, page))
    return plan


def _written(site_files: Mapping[str, str], path: str) -> str | None:
    """Return what wrote the output file serving site ``path``, or ``None`` when none does."""
    for candidate in output_files(path):
        if candidate in site_files:
            return site_files[candidate]
    return None


def _normal(target: str) -> str:
    """Return the path of a site target in the map's one spelling (query and fragment off)."""
    return normalize_path(urlsplit(target).path)
