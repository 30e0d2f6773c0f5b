"""The site's headers written in the formats hosts read: ``_headers`` and nginx includes.

Pure functions from the policy (:mod:`condividi.headers.policy`) to text.

- ``_headers`` (Netlify, Cloudflare Pages): the security headers on ``/*``, and
  ``Cache-Control`` only on path patterns that do not overlap (both hosts send every matching
  rule's headers, and Cloudflare joins two values of one header with a comma). HTML keeps the
  hosts' own default, ``public, max-age=0, must-revalidate``.
- nginx: a ``map`` of ``$uri`` to ``Cache-Control`` for the ``http`` block and the
  ``add_header`` lines for the ``server`` block (``always``: redirects and errors too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from condividi.headers.policy import HTML_CACHE, CacheRule

GENERATED = "# Written by Condividi"
NGINX_VARIABLE = "$condividi_cache_control"


def netlify_headers(security: Mapping[str, str], rules: list[CacheRule], site_path: str) -> str:
    """Return the ``_headers`` text: ``security`` (name to value, the CSP among them) for
    every path under ``site_path``, then one block per cache rule."""
    lines = [
        f'{GENERATED}: set HEADERS_SAVE_AS = "" to write your own.',
        "# HTML keeps the host's default Cache-Control (public, max-age=0, must-revalidate).",
        f"{site_path}/*",
        *(f"  {name}: {value}" for name, value in security.items()),
    ]
    for rule in rules:
        lines += [rule.pattern, f"  Cache-Control: {rule.value}"]
    return "\n".join(lines) + "\n"


def nginx_string(text: str) -> str:
    """Return ``text`` as a double-quoted nginx string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _nginx_pattern(pattern: str) -> str:
    # A prefix pattern becomes a regular expression on $uri, an exact path a plain match.
    if pattern.endswith("*"):
        escaped = "".join(f"\\{c}" if c in ".+?()[]{}^$|\\" else c for c in pattern[:-1])
        return nginx_string(f"~^{escaped}")
    return nginx_string(pattern)


@dataclass(frozen=True)
class NginxHeaders:
    """The two nginx includes: ``http`` for the http block, ``server`` for the server block."""

    http: str
    server: str


def nginx_headers(security: Mapping[str, str], rules: list[CacheRule]) -> NginxHeaders:
    """Return the nginx includes sending ``security`` and the ``Cache-Control`` of ``rules``
    (first match wins, as in :func:`~condividi.headers.policy.cache_control`)."""
    header = f"{GENERATED}: the site's headers (docs/deploying.md)."
    rows = [f"    {_nginx_pattern(rule.pattern)} {nginx_string(rule.value)};" for rule in rules]
    http = "\n".join(
        [
            header,
            f"map $uri {NGINX_VARIABLE} {{",
            f"    default {nginx_string(HTML_CACHE)};",
            *rows,
            "}",
        ]
    )
    server = "\n".join(
        [
            header,
            "# A location with add_header lines of its own does not inherit these: repeat them.",
            *(
                f"add_header {name} {nginx_string(value)} always;"
                for name, value in security.items()
            ),
            f"add_header Cache-Control {NGINX_VARIABLE} always;",
        ]
    )
    return NginxHeaders(http + "\n", server + "\n")


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    """Return the rules of a ``_headers`` text as ``(pattern, {name: value})``, in order.

    Raises ``ValueError`` naming the line for a header outside a rule or without ``:``.
    """
    rules: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
            continue
        name, colon, value = line.strip().partition(":")
        if not rules or not colon:
            raise ValueError(f"_headers:{number}: {line.strip()!r} is not 'Name: value' in a rule")
        rules[-1][1][name.strip()] = value.strip()
    return rules


def headers_for(path: str, rules: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """Return the headers a host following ``_headers`` sends for ``path``: every matching
    rule's, a header in several rules joined with ``", "`` (as Cloudflare Pages does)."""
    sent: dict[str, str] = {}
    for pattern, headers in rules:
        matches = path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
        if matches:
            for name, value in headers.items():
                sent[name] = f"{sent[name]}, {value}" if name in sent else value
    return sent
