"""Checks shared by the feeds tests: RFC 4287 (RELAX NG + Schematron), RSS 2.0 structure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from lxml import etree, isoschematron

from tests.conftest import ROOT

ATOM_SCHEMA = ROOT / "tests" / "schemas" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@lru_cache(maxsize=1)
def atom_validators() -> tuple[etree.RelaxNG, isoschematron.Schematron]:
    """Return the RFC 4287 RELAX NG grammar and its Schematron rules, from tests/schemas."""
    document = etree.parse(str(ATOM_SCHEMA))
    return etree.RelaxNG(document), isoschematron.Schematron(document, store_report=True)


def parse(data: bytes | Path) -> etree._ElementTree:
    """Parse a feed (bytes or a file) with entity expansion and network access off."""
    if isinstance(data, Path):
        return etree.parse(str(data), _PARSER)
    return etree.ElementTree(etree.fromstring(data, _PARSER))


def atom_errors(data: bytes | Path) -> list[str]:
    """Return every RFC 4287 violation of an Atom document (empty when valid)."""
    document = parse(data)
    grammar, rules = atom_validators()
    errors = []
    if not grammar.validate(document):
        errors += [f"line {e.line}: {e.message}" for e in grammar.error_log]
    if not rules.validate(document):
        report = rules.validation_report
        errors += [
            text.strip()
            for text in report.xpath(
                "//svrl:failed-assert/svrl:text/text()",
                namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"},
            )
        ]
    return errors


def rss_errors(data: bytes | Path, self_url: str | None = None) -> list[str]:
    """Return every way an RSS document breaks RSS 2.0 as Condividi writes it.

    Checks the channel's title, link and description; ``atom:link rel="self"`` (equal to
    ``self_url`` when given); RFC 822 dates; and for each item a title, an absolute link and a
    guid (``isPermaLink="false"`` unless it is a URL).
    """
    root = parse(data).getroot()
    errors: list[str] = []
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"root is <{root.tag} version={root.get('version')!r}>, not RSS 2.0"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return [f"{len(channels)} <channel> elements"]
    channel = channels[0]
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            errors.append(f"channel has no {name}")
    if not is_absolute(channel.findtext("link") or ""):
        errors.append(f"channel link {channel.findtext('link')!r} is not absolute")
    selves = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selves) != 1:
        errors.append(f"{len(selves)} atom:link rel=self in the channel")
    elif self_url is not None and selves[0].get("href") != self_url:
        errors.append(f"atom:link rel=self is {selves[0].get('href')}, not {self_url}")
    elif selves[0].get("type") != "application/rss+xml":
        errors.append(f"atom:link rel=self has type {selves[0].get('type')}")
    for name in ("lastBuildDate", "pubDate"):
        value = channel.findtext(name)
        if value is not None and not RFC822.match(value):
            errors.append(f"channel {name} {value!r} is not an RFC 822 date")
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"item {number}"
        if not (item.findtext("title") or item.findtext("description")):
            errors.append(f"{where} has neither title nor description")
        if not is_absolute(item.findtext("link") or ""):
            errors.append(f"{where} link {item.findtext('link')!r} is not absolute")
        guid = item.find("guid")
        if guid is None or not (guid.text or "").strip():
            errors.append(f"{where} has no guid")
        elif guid.get("isPermaLink", "true") == "true" and not is_web_url(guid.text):
            errors.append(f"{where} guid {guid.text!r} is not a URL but isPermaLink is true")
        date = item.findtext("pubDate")
        if date is None or not RFC822.match(date) or parsedate_to_datetime(date) is None:
            errors.append(f"{where} pubDate {date!r} is not an RFC 822 date")
    return errors


def is_web_url(url: str) -> bool:
    """Tell whether ``url`` is an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_absolute(url: str) -> bool:
    """Tell whether ``url`` has a scheme and (for http) a host."""
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return bool(parts.scheme)


def entry_html(data: bytes | Path) -> Iterator[str]:
    """Yield every HTML fragment an Atom or RSS feed carries (content, summary, description)."""
    root = parse(data).getroot()
    for element in root.iter(f"{ATOM}content", f"{ATOM}summary", "description", CONTENT_ENCODED):
        if element.getparent().tag in ("channel",):
            continue  # the channel description is plain text
        if element.get("type", "html") == "html" and element.text:
            yield element.text


def relative_urls(html: str) -> list[str]:
    """Return the URLs in ``html`` (href, src, poster, each srcset candidate) that are relative."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag in soup.find_all(True):
        for attribute in ("href", "src", "poster"):
            if tag.get(attribute) is not None and not is_absolute(tag[attribute]):
                found.append(f"{tag.name} {attribute}={tag[attribute]!r}")
        for candidate in (tag.get("srcset") or "").split(","):
            url = candidate.strip().split(" ")[0]
            if url and not is_absolute(url):
                found.append(f"{tag.name} srcset candidate {url!r}")
    return found


def feed_files(output: Path) -> list[Path]:
    """Return every feed file the build wrote under ``output/feeds``."""
    return sorted((output / "feeds").rglob("*.xml"))


def entry_ids(data: bytes | Path) -> dict[str, str]:
    """Return ``{entry link: entry id}`` of an Atom feed."""
    root = parse(data).getroot()
    return {
        entry.find(f"{ATOM}link[@rel='alternate']").get("href"): entry.findtext(f"{ATOM}id")
        for entry in root.iter(f"{ATOM}entry")
    }


@dataclass
class Taxon:
    """A category, tag or author as Pelican gives it: ``str()`` is the name."""

    name: str
    slug: str = ""
    url: str = ""

    def __str__(self) -> str:
        return self.name


def article(slug: str = "un-post", **fields: Any) -> SimpleNamespace:
    """Return an article-like object with Pelican's attributes; ``fields`` override them."""
    values: dict[str, Any] = {
        "slug": slug,
        "title": "Un post",
        "url": f"{slug}/",
        "date": datetime.fromisoformat("2026-03-09T10:30:00+01:00"),
        "lang": "it",
        "authors": [Taxon("Giulia Ferraris", "giulia-ferraris", "autore/giulia-ferraris/")],
        "category": Taxon("Strategia", "strategia", "categoria/strategia/"),
        "tags": [Taxon("follower", "follower", "tag/follower/")],
        "summary": "<p>Il riassunto.</p>",
        "content": "<p>Il testo.</p>",
        "metadata": {},
    }
    values.update(fields)
    return SimpleNamespace(**values)
