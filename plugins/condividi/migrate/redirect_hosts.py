"""The redirect map written in the formats hosts read: ``_redirects`` and nginx includes.

Pure functions from the planned redirects (:mod:`condividi.migrate.redirect_plan`) to text.
Paths in the map are paths of the site; a site served under a path of its host
(``https://example.org/blog/``) gets that path (``site_path``) in front of each.

- ``_redirects`` (Netlify, Cloudflare Pages): one ``OLD NEW STATUS`` line a redirect, the
  status always written (Cloudflare's default is 302). An old address with a query is written
  in Netlify's query form, ``/ p=123 /post/ 301!``: forced, since the home page at ``/`` would
  otherwise shadow it; Cloudflare Pages cannot match queries and skips such a line (four
  words), where reading ``/?p=123`` as a path would have redirected the home page itself.
- nginx: ``map`` blocks for the ``http`` context and four ``if`` lines for the ``server``
  block. Paths are matched on ``$uri`` (decoded, so ``/perché/`` is written as UTF-8); an
  old address with one parameter on ``$uri?name=$arg_name``, so other parameters, in any
  order, do not stop it; one with several parameters on ``$uri?$args`` exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from condividi import theme
from condividi.migrate.redirect_plan import PlannedRedirect, is_site_path

GENERATED = "# Written by Condividi"
STATUSES = (301, 302, 307, 308)
# Cloudflare Pages reads at most 2,000 static redirects, each line at most 1,000 characters.
CLOUDFLARE_MAX_STATIC = 2000
CLOUDFLARE_MAX_LINE = 1000
# What _redirects reads as a pattern in a path: a splat, or a placeholder (:name).
_PATTERN = re.compile(r"\*|:[A-Za-z_]")
_NGINX_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class OwnRedirectsConflict(ValueError):
    """The site's own ``_redirects`` has a rule for an old path the map also has."""


def site_target(target: str, site_path: str) -> str:
    """Return ``target`` as a path from the host's root (``site_path`` in front), or the URL."""
    return f"{site_path}{target}" if is_site_path(target) else target


def absolute_target(target: str, siteurl: str) -> str:
    """Return ``target`` as an absolute URL on the site at ``siteurl``, or the URL itself."""
    return f"{siteurl.rstrip('/')}{target}" if is_site_path(target) else target


def netlify_redirects(
    redirects: Iterable[PlannedRedirect], site_path: str, map_name: str
) -> tuple[str, list[str]]:
    """Return the ``_redirects`` text for ``redirects``, and warnings about lines left out.

    ``site_path`` is the site's path on its host (``""`` or ``/blog``); ``map_name`` names the
    map in the file's header. A line is left out, with a warning, when its path has what
    ``_redirects`` reads as a pattern (``*``, ``:name``) or its query cannot be written in
    Netlify's form; warnings also say when Cloudflare Pages would not read every line.
    """
    lines = [
        f"{GENERATED} from {map_name}: edit the map, not this file.",
        "# Netlify and Cloudflare Pages read it; Cloudflare skips the lines with a query.",
    ]
    warnings: list[str] = []
    static = 0
    for redirect in redirects:
        path = f"{site_path}{redirect.path}"
        target = site_target(redirect.target, site_path)
        if _PATTERN.search(path):
            warnings.append(
                f"{redirect.where}: {redirect.source} is left out of _redirects: '*' and "
                "':name' are patterns there"
            )
            continue
        if redirect.query:
            pairs = parse_qsl(redirect.query, keep_blank_values=True)
            if not pairs or any("=" in v or v.startswith(":") or not k for k, v in pairs):
                warnings.append(
                    f"{redirect.where}: {redirect.source} is left out of _redirects: Netlify "
                    "cannot match that query"
                )
                continue
            query = " ".join(f"{k}={v}" for k, v in pairs)
            line = f"{path}  {query}  {target}  {redirect.status}!"
        else:
            static += 1
            line = f"{path}  {target}  {redirect.status}"
        if target.startswith("http://"):
            warnings.append(
                f"{redirect.where}: Cloudflare Pages skips the _redirects line of "
                f"{redirect.source}: it takes only https:// addresses"
            )
        if len(line) > CLOUDFLARE_MAX_LINE:
            warnings.append(
                f"{redirect.where}: the _redirects line of {redirect.source} is longer than "
                f"the {CLOUDFLARE_MAX_LINE} characters Cloudflare Pages reads"
            )
        lines.append(line)
    if static > CLOUDFLARE_MAX_STATIC:
        warnings.append(
            f"_redirects has {static} redirects: Cloudflare Pages reads the first "
            f"{CLOUDFLARE_MAX_STATIC} only (Netlify reads them all)"
        )
    return "\n".join(lines) + "\n", warnings


def rule_key(line: str) -> tuple[str, tuple[str, ...]] | None:
    """Return what a ``_redirects`` rule matches (its path and sorted query parameters), or
    ``None`` for a blank line or a comment."""
    words = line.split()
    if not words or words[0].startswith("#"):
        return None
    query = []
    for word in words[1:]:
        if word.startswith("/") or "://" in word or word.startswith("#"):
            break
        if "=" in word:
            query.append(word)
    return words[0], tuple(sorted(query))


def merge_own_redirects(generated: str, own: str, own_name: str) -> str:
    """Return ``generated`` followed by the site's own ``_redirects`` text ``own``.

    The map's rules come first: both hosts apply the first rule that matches, the map's rules
    are exact paths, and Cloudflare Pages wants exact paths before patterns. Raises
    :class:`OwnRedirectsConflict` naming ``own_name:line`` when ``own`` has a rule for an old
    address the map also has (one of the two would be silently ignored).
    """
    ours = {key for key in map(rule_key, generated.splitlines()) if key is not None}
    problems = []
    for number, line in enumerate(own.splitlines(), start=1):
        key = rule_key(line)
        if key is not None and key in ours:
            path, query = key
            problems.append(f"{own_name}:{number} ({' '.join((path, *query))})")
    if problems:
        raise OwnRedirectsConflict(
            "the site's own _redirects has rules for old addresses the redirect map also "
            "has; keep each in one place: " + "; ".join(problems)
        )
    own = own if own.endswith("\n") or not own else own + "\n"
    return f"{generated}\n# The site's own _redirects ({own_name}):\n{own}"


@dataclass(frozen=True)
class NginxIncludes:
    """The two nginx includes: ``http`` (the maps) and ``server`` (the ``if`` lines)."""

    http: str
    server: str


def nginx_string(text: str) -> str:
    """Return ``text`` as a double-quoted nginx string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_location(url: str) -> str:
    """Return ``url`` with what nginx would read in a value (``$``) or a quoted string
    (``"``, ``\\``) percent-encoded: the same URL, since the map percent-encodes the rest."""
    return url.replace("$", "%24").replace('"', "%22").replace("\\", "%5C")


def _map_block(source: str, variable: str, default: str, rows: Sequence[tuple[str, str]]) -> str:
    lines = [f"map {source} ${variable} {{", f"    default {default};"]
    lines += [f"    {nginx_string(key)} {nginx_string(value)};" for key, value in rows]
    lines.append("}")
    return "\n".join(lines)


def _power_of_two(size: int) -> int:
    return 1 << max(0, size - 1).bit_length()


def nginx_includes(
    redirects: Iterable[PlannedRedirect],
    siteurl: str,
    map_name: str,
    variable: str = "condividi_redirect",
) -> tuple[NginxIncludes, list[str]]:
    """Return the nginx includes for ``redirects`` and warnings about old paths left out.

    Locations are absolute (``siteurl`` in front of a path target), so a redirect leads
    straight to the canonical address; a path redirect passes the request's query on, as
    Netlify does. Each map's default is the next map's value, so one ``$variable`` holds
    ``"STATUS LOCATION"`` for the request, and ``$variable_301`` (``_302``, ``_307``,
    ``_308``) its location when the status is that one; the server include returns it.
    """
    site_path = theme.site_path(siteurl)
    paths: list[tuple[str, str]] = []
    by_name: dict[str, list[tuple[str, str]]] = {}
    whole: list[tuple[str, str]] = []
    warnings: list[str] = []
    for redirect in redirects:
        path = unquote(f"{site_path}{redirect.path}")
        if _CONTROL.search(path):
            warnings.append(
                f"{redirect.where}: {redirect.source} is left out of the nginx map: its path "
                "has a control character"
            )
            continue
        location = nginx_location(absolute_target(redirect.target, siteurl))
        if not redirect.query:
            passes_query = not any(mark in redirect.target for mark in "?#")
            value = f"{redirect.status} {location}" + ("$is_args$args" if passes_query else "")
            paths.append((path, value))
            continue
        value = f"{redirect.status} {location}"
        pairs = parse_qsl(redirect.query, keep_blank_values=True)
        if len(pairs) == 1 and _NGINX_NAME.match(pairs[0][0]) and pairs[0][1]:
            name = pairs[0][0]
            by_name.setdefault(name, []).append((f"{path}?{redirect.query}", value))
        else:
            whole.append((f"{path}?{redirect.query}", value))

    # A chain of maps, each one's default the previous one's value: the path map first, then
    # the exact queries, then one map per parameter name; the last one sets $variable.
    chain: list[tuple[str, str, list[tuple[str, str]]]] = [("$uri", "path", paths)]
    if whole:
        chain.append(('"$uri?$args"', "query", whole))
    for name in sorted(by_name):
        chain.append((f'"$uri?{name}=$arg_{name}"', f"arg_{name}", by_name[name]))
    blocks: list[str] = []
    previous = '""'
    for index, (source, suffix, rows) in enumerate(chain):
        name = variable if index == len(chain) - 1 else f"{variable}_{suffix}"
        blocks.append(_map_block(source, name, previous, rows))
        previous = f"${name}"
    for status in STATUSES:
        blocks.append(
            _map_block(f"${variable}", f"{variable}_{status}", '""', [(f"~^{status} (.+)$", "$1")])
        )

    keys = [key for key, _ in paths + whole] + [k for rows in by_name.values() for k, _ in rows]
    longest = max((len(key.encode("utf-8")) for key in keys), default=0)
    # An entry takes a pointer, the key and two bytes, aligned; a bucket also ends in a pointer.
    bucket = max(64, _power_of_two(16 + (longest + 2 + 7) // 8 * 8))
    max_size = max(2048, _power_of_two(2 * len(keys)))
    header = (
        f"{GENERATED} from {map_name} on each publish build: edit the map, not this file.\n"
        "# Include it in nginx's http block (Debian: a file in /etc/nginx/conf.d/ is), and\n"
        "# server.conf (beside it) in the site's server block; reload nginx after each change.\n"
        "# nginx takes each of the two hash settings once per http block: if another file\n"
        "# sets them, keep the larger values there and remove them here.\n"
    )
    http = "\n\n".join(
        [
            header + f"map_hash_bucket_size {bucket};\nmap_hash_max_size {max_size};",
            *blocks,
        ]
    )
    server_lines = [
        f"{GENERATED}: the old addresses of {map_name} (the maps are in http.conf).",
        "# Include it in the site's server block, outside any location.",
        *(
            f"if (${variable}_{status}) {{ return {status} ${variable}_{status}; }}"
            for status in STATUSES
        ),
    ]
    return NginxIncludes(http + "\n", "\n".join(server_lines) + "\n"), warnings


def shortlinks(redirects: Iterable[PlannedRedirect], site_path: str) -> dict[str, str]:
    """Return the old addresses of the home page with a query (``/?p=123``) for the home
    page's script: each query (``p=123``) and where it leads (a path from the host's root, or
    a URL)."""
    return {
        redirect.query: site_target(redirect.target, site_path)
        for redirect in redirects
        if redirect.query and redirect.path == "/"
    }


def shortlink_parameters(sources: Iterable[str]) -> list[str]:
    """Return the names of the parameters in the old addresses of the home page (``p``,
    ``page_id``, ``cat``): the script looks the map up only when a request has one."""
    names = {
        name
        for source in sources
        if urlsplit(source).path == "/"
        for name, _ in parse_qsl(urlsplit(source).query, keep_blank_values=True)
    }
    return sorted(names)
