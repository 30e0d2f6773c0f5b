"""Page weight: what a browser fetches from the site itself to show one built page.

Given a page of a built site and the site's URL, :func:`page_weight` follows the page's
same-origin stylesheets (and their ``@import``), scripts, preloads, images, icons and SVG
sprites (``<use href="sprite.svg#name">``: one request per sprite file), and each
stylesheet's ``url()`` references, to the files in the output folder. HTML, CSS and JS count
towards the weight, raw and gzipped (``gzip -9``, file by file, as a host serving precompressed
files sends them); every same-origin file counts as one request. Resources on another origin
(the comment server's client, for instance) are listed apart and weigh nothing here, and so
does what a ``<template>`` holds, which the browser loads only if a script uses it.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

TEXT_KINDS = ("html", "css", "js")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""", re.I)
_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.I)


@dataclass(frozen=True)
class Resource:
    """One file the page loads: its URL, kind, and size raw and gzipped (bytes)."""

    url: str
    kind: str
    raw: int
    gzipped: int


@dataclass
class PageWeight:
    """The resources one page loads from its own site, and those it loads from elsewhere."""

    page: str
    resources: list[Resource] = field(default_factory=list)
    other_origin: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def total(self, kinds: tuple[str, ...] = TEXT_KINDS, gzipped: bool = False) -> int:
        """Return the bytes of the resources of ``kinds`` (HTML, CSS and JS by default)."""
        return sum(r.gzipped if gzipped else r.raw for r in self.resources if r.kind in kinds)

    def by_kind(self, gzipped: bool = False) -> dict[str, int]:
        """Return the bytes per kind of resource (``html``, ``css``, ``js``, ``image``, ...)."""
        sizes: dict[str, int] = {}
        for resource in self.resources:
            sizes[resource.kind] = sizes.get(resource.kind, 0) + (
                resource.gzipped if gzipped else resource.raw
            )
        return sizes

    @property
    def requests(self) -> int:
        """Return the number of same-origin requests (the page itself included)."""
        return len(self.resources)

    def as_dict(self) -> dict[str, object]:
        """Return the weight as plain data for the JSON report."""
        return {
            "page": self.page,
            "html_css_js_bytes": self.total(),
            "html_css_js_gzip_bytes": self.total(gzipped=True),
            "bytes_by_kind": self.by_kind(),
            "gzip_bytes_by_kind": self.by_kind(gzipped=True),
            "requests": self.requests,
            "resources": [vars(r) for r in self.resources],
            "other_origin": self.other_origin,
            "missing": self.missing,
        }


def gzip_size(data: bytes) -> int:
    """Return the size of ``data`` compressed with gzip at level 9."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def page_url(output: Path, page: Path, siteurl: str) -> str:
    """Return the URL at which ``page`` (a file inside ``output``) is served under ``siteurl``."""
    relative = page.relative_to(output).as_posix()
    if relative == "index.html" or relative.endswith("/index.html"):
        relative = relative.removesuffix("index.html")
    return f"{siteurl.rstrip('/')}/{relative}"


def url_to_file(url: str, output: Path, siteurl: str) -> Path | None:
    """Return the output file a same-origin ``url`` serves, or None for another origin."""
    site = urlsplit(siteurl)
    target = urlsplit(url)
    if (target.scheme, target.netloc) != (site.scheme, site.netloc):
        return None
    path = unquote(target.path)
    prefix = site.path.rstrip("/")
    if prefix and not path.startswith(prefix + "/"):
        return None
    path = path[len(prefix) :].lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return output / path


def _kind(url: str, hint: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    if suffix in (".woff", ".woff2", ".ttf", ".otf", ".eot"):
        return "font"
    if suffix == ".css":
        return "css"
    if suffix in (".js", ".mjs"):
        return "js"
    return hint


def _page_references(html: str, base: str) -> list[tuple[str, str]]:
    """Return (absolute URL, kind) for everything the HTML makes the browser load.

    The content of a ``<template>`` is inert: the browser loads nothing of it unless a script
    clones it later (the comment client does, when the reader nears the comments).
    """
    soup = BeautifulSoup(html, "html.parser")
    for template in soup.find_all("template"):
        template.decompose()
    found: list[tuple[str, str]] = []
    for link in soup.find_all("link", href=True):
        rel = {value.lower() for value in link.get("rel", [])}
        url = urljoin(base, link["href"])
        if "stylesheet" in rel:
            found.append((url, "css"))
        elif "modulepreload" in rel:
            found.append((url, "js"))
        elif "preload" in rel:
            hint = {"style": "css", "script": "js", "font": "font"}.get(link.get("as", ""), "other")
            found.append((url, _kind(url, hint)))
        elif rel & {"icon", "shortcut", "apple-touch-icon"}:
            found.append((url, "image"))
    for script in soup.find_all("script", src=True):
        found.append((urljoin(base, script["src"]), "js"))
    for image in soup.find_all(["img", "input"], src=True):
        if image.name == "img" or image.get("type") == "image":
            found.append((urljoin(base, image["src"]), "image"))
    for use in soup.find_all("use"):
        href = use.get("href") or use.get("xlink:href") or ""
        if href and not href.startswith("#"):  # "#name" is a symbol of this very page
            found.append((urljoin(base, href), "image"))
    return found


def _css_references(css: str, base: str) -> list[tuple[str, str]]:
    """Return (absolute URL, kind) for each ``@import`` and ``url()`` a stylesheet loads.

    Of an ``@font-face`` rule only the first ``url()`` counts: a browser fetches one format.
    """
    css = _CSS_COMMENT.sub("", css)
    found = [(urljoin(base, url), "css") for url in _CSS_IMPORT.findall(css)]
    imports = {url for url, _ in found}
    for face in _FONT_FACE.findall(css):
        urls = _CSS_URL.findall(face)
        if urls:
            found.append((urljoin(base, urls[0]), "font"))
    rest = _FONT_FACE.sub("", css)
    for url in _CSS_URL.findall(rest):
        absolute = urljoin(base, url)
        if absolute not in imports and not url.startswith("data:"):
            found.append((absolute, _kind(absolute, "image")))
    return found


def page_weight(output: Path, page: Path, siteurl: str) -> PageWeight:
    """Return the weight of ``page``, a built HTML file inside ``output``, served at ``siteurl``.

    Each same-origin resource is counted once, even when referenced twice. A referenced file
    that is not in ``output`` is listed in ``missing``.
    """
    base = page_url(output, page, siteurl)
    weight = PageWeight(page=base)
    seen: set[str] = set()
    queue: list[tuple[str, str]] = [(base, "html")]
    while queue:
        url, kind = queue.pop(0)
        url = url.split("#", 1)[0]
        if url in seen or url.startswith("data:"):
            continue
        seen.add(url)
        path = url_to_file(url, output, siteurl)
        if path is None:
            weight.other_origin.append(url)
            continue
        if not path.is_file():
            weight.missing.append(url)
            continue
        data = path.read_bytes()
        weight.resources.append(
            Resource(url, kind, len(data), gzip_size(data) if kind in TEXT_KINDS else len(data))
        )
        if kind == "html":
            queue.extend(_page_references(data.decode("utf-8"), url))
        elif kind == "css":
            queue.extend(_css_references(data.decode("utf-8"), url))
    return weight
