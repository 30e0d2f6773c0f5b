"""Pelican glue for the redirect map, so that old addresses keep working.

Listed in ``PLUGINS`` as ``condividi.migrate.redirects_plugin``, last (it checks the map
against every page the other plugins wrote).

Each build reads the map (``content/redirects.txt``, :mod:`condividi.migrate.redirect_map`)
when it starts: a line that cannot be read fails the build, naming the file and the line. Once
every page is written (``finalized``) the map is checked against the output
(:mod:`condividi.migrate.redirect_plan`) and, when nothing is wrong, published:

- ``_redirects`` in the output, for Netlify and Cloudflare Pages (a ``_redirects`` the site
  ships itself is kept, after the map's rules);
- an HTML page at each old path that can be a file, for hosts without redirects, rendered
  from ``theme/templates/redirect.html`` in the language of the page it leads to;
- ``redirects/shortlinks.json``, read by the home page's script to follow ``/?p=123``;
- on a publish build that succeeded (:data:`condividi.build.build_succeeded`), the nginx
  includes in ``var/redirects/``: server configuration, not part of the published site.

Every problem is logged as an error naming the map's ``file:line``; the safe build
(:mod:`condividi.build`) then fails and leaves the previous output as it was.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator, Generator, StaticGenerator

from condividi.build import build_succeeded
from condividi.config import project_root
from condividi.feeds.config import FeedsConfig
from condividi.files import write_atomically
from condividi.migrate.permalinks import feeds_config
from condividi.migrate.redirect_config import RedirectsConfig, nginx_folder, redirects_config
from condividi.migrate.redirect_hosts import (
    GENERATED,
    NginxIncludes,
    OwnRedirectsConflict,
    absolute_target,
    merge_own_redirects,
    netlify_redirects,
    nginx_includes,
    shortlink_parameters,
    shortlinks,
)
from condividi.migrate.redirect_map import MapEntry, normalize_path, read_entries, redirects_file
from condividi.migrate.redirect_plan import Plan, PlannedRedirect, output_files, plan_redirects
from condividi.theme import site_content, site_path

log = logging.getLogger(__name__)

TEMPLATE = "redirect.html"
# Marks the HTML pages this plugin writes, so a later build into the same output folder
# (``make serve``) does not take them for pages of the site.
PAGE_MARK = '<meta name="generator" content="Condividi redirect">'
NGINX_FILES = ("http.conf", "server.conf")


@dataclass
class _Build:
    """What one running build knows about its redirects, from its start to its end."""

    config: RedirectsConfig
    entries: list[MapEntry]
    map_name: str
    # The query parameters the home page's shortlink script follows (none: no script).
    shortlink_params: list[str]
    # Where the nginx includes go (None: REDIRECTS_NGINX_PATH is empty).
    nginx_dir: Path | None
    generators: list[Any] = field(default_factory=list)
    # The nginx includes to write in nginx_dir once the build succeeded.
    nginx: NginxIncludes | None = None


# Keyed by the build's settings dict, which the Pelican object and its generators share.
_builds: dict[int, _Build] = {}


def project_name(path: str | Path, settings: dict[str, Any]) -> str:
    """Return how messages name a file: its path from the project folder when inside it
    (``content/redirects.txt``), else the path as it is."""
    try:
        return Path(path).resolve().relative_to(project_root(settings)).as_posix()
    except ValueError:
        return str(path)


def on_get_generators(pelican: Pelican) -> None:
    """Read the settings and the map as the build (or an autoreloaded rebuild) starts.

    Raises :class:`~condividi.config.ConfigError` or
    :class:`~condividi.migrate.redirect_map.RedirectError` (naming ``file:line``), which
    stops the build.
    """
    settings = pelican.settings
    _builds.pop(id(settings), None)
    config = redirects_config(settings)
    path = redirects_file(settings)
    name = project_name(path, settings)
    entries = read_entries(path, name)
    params = (
        shortlink_parameters(entry.redirect.source for entry in entries)
        if config.shortlinks_save_as
        else []
    )
    _builds[id(settings)] = _Build(config, entries, name, params, nginx_folder(config, settings))


def on_generator_init(generator: Generator) -> None:
    """Tell the home page's template where the shortlink script's map is, when it has one."""
    build = _builds.get(id(generator.settings))
    if build is None or not build.shortlink_params:
        return
    siteurl = str(generator.settings.get("SITEURL") or "")
    generator.context["REDIRECTS_SHORTLINKS"] = {
        "map": f"{site_path(siteurl)}/{build.config.shortlinks_save_as}",
        "params": " ".join(build.shortlink_params),
    }


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Keep the build's generators: their content lists and Jinja environment are final."""
    for generator in generators:
        build = _builds.get(id(generator.settings))
        if build is not None:
            build.generators = generators
            return


def scan_output(output: Path) -> dict[str, str]:
    """Return every file in ``output`` (relative POSIX path) mapped to itself."""
    files: dict[str, str] = {}
    for folder, _, names in os.walk(output):
        relative = Path(folder).relative_to(output).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        for name in names:
            files[f"{prefix}{name}"] = f"{prefix}{name} in the output"
    return files


def _is_own_page(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return PAGE_MARK.encode() in handle.read(2048)
    except OSError:
        return False


def site_files(
    output: Path, generators: list[Any], entries: list[MapEntry], settings: dict[str, Any]
) -> dict[str, str]:
    """Return the files the site wrote into ``output``, each with what wrote it.

    A page of an article or page, or a static file, is described by its content file. An HTML
    page of an old path left by an earlier build into the same folder is not a file of the site.
    """
    files = scan_output(output)
    for content in _contents(generators):
        save_as = getattr(content, "save_as", "")
        if save_as in files:
            files[save_as] = project_name(content.source_path, settings)
    for entry in entries:
        for candidate in output_files(entry.redirect.source):
            if candidate in files and _is_own_page(output / candidate):
                del files[candidate]
    return files


def _contents(generators: list[Any]) -> list[Any]:
    contents = list(site_content(generators))
    for generator in generators:
        if isinstance(generator, StaticGenerator):
            contents += generator.staticfiles
    return contents


def pending_posts(generators: list[Any], settings: dict[str, Any]) -> dict[str, str]:
    """Return the path each draft or future-dated post will have once published, mapped to its
    content file: a redirect to it waits until then.

    The list pages and feeds of a draft's category and tags wait too (mapped to the draft's
    file, named as their post's): a category that only unpublished posts have is not
    written. A target some build writes anyway is published as soon as it is there.
    """
    pending: dict[str, str] = {}
    feeds = feeds_config(settings)
    terms: list[tuple[str, Any, str]] = []
    for content in site_content(generators):
        if content.status != "draft":
            continue
        klass = "article" if isinstance(content, Article) else "page"
        key = "url" if content.in_default_lang else "lang_url"
        url = Content._expand_settings(content, key, klass)
        name = project_name(content.source_path, settings)
        pending[normalize_path("/" + url)] = name
        if isinstance(content, Article):
            terms += [("category", content.category, name)] if content.category else []
            terms += [("tag", tag, name) for tag in getattr(content, "tags", None) or ()]
    for kind, term, name in terms:
        for path in _term_paths(kind, term, feeds):
            pending.setdefault(normalize_path("/" + path), f"{name}: its {kind} {term}")
    return pending


def _term_paths(kind: str, term: Any, feeds: FeedsConfig | None) -> list[str]:
    """Return the output paths of a category's or tag's list page and feeds."""
    paths = [term.url]
    if feeds is not None and (feeds.categories if kind == "category" else feeds.tags):
        if kind == "category":
            patterns = (feeds.category_atom_save_as, feeds.category_rss_save_as)
        else:
            patterns = (feeds.tag_atom_save_as, feeds.tag_rss_save_as)
        paths += [pattern.format(slug=term.slug) for pattern in patterns if pattern]
    return paths


def render_pages(
    output: Path, redirects: list[PlannedRedirect], generators: list[Any], settings: dict
) -> int:
    """Write the HTML page of each redirect that has one; return how many."""
    generator = next(g for g in generators if isinstance(g, ArticlesGenerator))
    template = generator.env.get_template(TEMPLATE)
    siteurl = str(settings.get("SITEURL") or "")
    by_url = {f"/{content.url}": content for content in site_content(generators)}
    written = 0
    for redirect in redirects:
        if redirect.page is None:
            continue
        content = by_url.get(redirect.target)
        html = template.render(
            {
                **generator.context,
                # the language of the page it leads to (i18n.page_lang), else the site's
                "lang": getattr(content, "lang", None),
                "redirect_url": absolute_target(redirect.target, siteurl),
                "redirect_title": getattr(content, "title", ""),
                "redirect_mark": PAGE_MARK,
            }
        )
        write_atomically(output / redirect.page, html, durable=False)
        written += 1
    return written


def netlify_file(
    output: Path, plan: Plan, build: _Build, settings: dict[str, Any], files: dict[str, str]
) -> tuple[str | None, list[str]]:
    """Return the ``_redirects`` text to write (merged with the site's own file) and the
    problems that stop it; ``None`` when the setting is off. ``files`` (:func:`site_files`)
    names what wrote the site's own file."""
    save_as = build.config.netlify_save_as
    if not save_as:
        return None, []
    site = site_path(str(settings.get("SITEURL") or ""))
    text, warnings = netlify_redirects(plan.redirects, site, build.map_name)
    for warning in warnings:
        log.warning("redirects: %s", warning)
    own_path = output / save_as
    if own_path.is_file():
        own = own_path.read_text(encoding="utf-8", errors="replace")
        if not own.startswith(GENERATED):
            try:
                text = merge_own_redirects(
                    text, own, files.get(save_as, f"{save_as} in the output")
                )
            except OwnRedirectsConflict as error:
                return None, [str(error)]
    return text, []


def on_finalized(pelican: Pelican) -> None:
    """Check the map against the written site; publish it when nothing is wrong."""
    settings = pelican.settings
    build = _builds.get(id(settings))
    if build is None:
        return
    try:
        if build.entries:
            _publish(pelican, build)
        elif _refreshes_nginx(build, settings):
            # The map is gone or empty: the includes of an earlier publish must not live on.
            build.nginx = _nginx([], build, settings)
    finally:
        build.generators = []  # the site's content is not needed past this point


def _refreshes_nginx(build: _Build, settings: dict[str, Any]) -> bool:
    folder = build.nginx_dir
    return bool(settings.get("CONDIVIDI_PUBLISH")) and folder is not None and folder.is_dir()


def _nginx(
    redirects: list[PlannedRedirect], build: _Build, settings: dict[str, Any]
) -> NginxIncludes:
    siteurl = str(settings.get("SITEURL") or "")
    includes, warnings = nginx_includes(redirects, siteurl, build.map_name)
    for warning in warnings:
        log.warning("redirects: %s", warning)
    return includes


def _publish(pelican: Pelican, build: _Build) -> None:
    settings = pelican.settings
    output = Path(pelican.output_path)
    publish = bool(settings.get("CONDIVIDI_PUBLISH"))
    files = site_files(output, build.generators, build.entries, settings)
    plan = plan_redirects(
        build.entries,
        files,
        pending_posts(build.generators, settings),
        strict=publish,
        html_pages=build.config.html_pages,
    )
    netlify_text, problems = netlify_file(output, plan, build, settings, files)
    for note in plan.notes:
        log.info("redirects: %s", note)
    for warning in plan.warnings:
        log.warning("redirects: %s", warning)
    for error in plan.errors + problems:
        log.error("redirects: %s", error)
    if plan.errors or problems:
        return
    if netlify_text is not None:
        write_atomically(output / build.config.netlify_save_as, netlify_text, durable=False)
    pages = render_pages(output, plan.redirects, build.generators, settings)
    if build.shortlink_params:
        siteurl = str(settings.get("SITEURL") or "")
        data = json.dumps(shortlinks(plan.redirects, site_path(siteurl)), ensure_ascii=False)
        write_atomically(output / build.config.shortlinks_save_as, data, durable=False)
    if publish and build.nginx_dir is not None:
        build.nginx = _nginx(plan.redirects, build, settings)
    log.info(
        "redirects: %d old addresses from %s published (%d HTML pages)",
        len(plan.redirects),
        build.map_name,
        pages,
    )


def on_build_succeeded(pelican: Pelican) -> None:
    """Write the nginx includes of a publish build, now that it succeeded."""
    build = _builds.pop(id(pelican.settings), None)
    if build is None or build.nginx is None or build.nginx_dir is None:
        return
    folder, includes = build.nginx_dir, build.nginx
    write_atomically(folder / NGINX_FILES[0], includes.http)
    write_atomically(folder / NGINX_FILES[1], includes.server)
    log.info("redirects: nginx includes written in %s", folder)


def register() -> None:
    """Connect the redirect map to Pelican's signals and to the safe build's success."""
    signals.get_generators.connect(on_get_generators)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.finalized.connect(on_finalized)
    build_succeeded.connect(on_build_succeeded)
