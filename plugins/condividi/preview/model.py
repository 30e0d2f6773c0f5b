"""The site model kept in memory between the preview's builds, and one post replaced in it.

A full build ends with Pelican's complete model of the site: its generators, with every post
read, ordered, linked to its neighbours and enriched by every plugin. :class:`SiteModel` keeps
it; when the author saves a post, :meth:`SiteModel.replace` reads that one file again and puts
the new post where the old one was, so that its page can be rendered at once with the same
generator, template and context as a full build, without reading or enriching the 999 others.

The new post goes through the same steps a full build takes it through, so whatever a plugin
does to each post (share links, comment thread, reading time, feed id, and what other plugins
add later) it does to this one too:

1. the generator's own readers read it (``*_generator_preread`` and ``*_generator_context``
   are sent, the reader cache is filled);
2. the generator's ``*_generator_finalized`` and then ``all_generators_finalized`` are sent
   with **one-post views** of the generators: copies whose content lists hold only the new
   post, so each plugin enriches it alone; then its intersite links are resolved as Pelican
   does (``refresh_metadata_intersite_links``);
3. what a one-post view cannot know is taken from the model: the post's relations to other
   posts (neighbours, translations: attributes that hold other posts), and the template
   context, which is restored as it was, since a plugin may have recomputed site-wide values
   from the view.

A save that changes what places the post in the site (status, address, date, language,
category, tags, authors, template) is not replaced here (:class:`NotReplaceable`): the lists,
neighbours and archives would change, so the caller builds the whole model again.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Article, Content, Page
from pelican.generators import ArticlesGenerator, PagesGenerator

from condividi.theme import site_content

# What places a post in the site: a save that changes one of these needs the whole model.
PLACING_ATTRIBUTES = (
    "status",
    "save_as",
    "url",
    "slug",
    "lang",
    "date",
    "category",
    "tags",
    "authors",
    "template",
    "translation",
)
_READ_ONLY_IF_GIVEN = frozenset({"author", "authors", "locale_modified"})
# How deep the model's containers are searched for the old post (lists of tuples of lists:
# Pelican's categories; dicts of lists of dicts of lists: its period archives).
_SWAP_DEPTH = 5


class NotReplaceable(Exception):
    """This save cannot be put into the kept model; the message says why."""


class SiteModel:
    """A complete site model (Pelican's ``generators`` after ``all_generators_finalized``).

    ``settings`` are the build's settings; the model renders into ``settings["OUTPUT_PATH"]``,
    which :meth:`render_into` points at a folder of the caller's choice.
    """

    def __init__(self, generators: list[Any], settings: dict[str, Any]) -> None:
        self.generators = list(generators)
        self.settings = settings

    def render_into(self, folder: Path) -> None:
        """Make the model write its pages (and plugins their files) under ``folder``."""
        self.settings["OUTPUT_PATH"] = str(folder)
        for generator in self.generators:
            generator.output_path = str(folder)
            if isinstance(getattr(generator, "context", None), dict):
                generator.context["OUTPUT_PATH"] = str(folder)

    def find(self, source: str) -> tuple[Any, Content]:
        """Return the generator and the post or page read from ``source`` (an absolute path).

        Raises :class:`NotReplaceable` when the model holds no such post (a new file).
        """
        for generator in self.generators:
            if not isinstance(generator, (ArticlesGenerator, PagesGenerator)):
                continue
            for content in site_content([generator]):
                if content.source_path == source:
                    return generator, content
        raise NotReplaceable(f"{source} is not a post or page of the site model")

    def replace(self, source: str) -> Content:
        """Read ``source`` again and put the new post in place of the old one; return it.

        Raises :class:`NotReplaceable` when the file is new, cannot be read or no longer
        places the same way in the site; errors the reader or a plugin logs are the
        caller's to collect. The model is changed only when everything succeeded.
        """
        generator, old = self.find(source)
        new = read_again(generator, old)
        differences = placing_differences(old, new)
        if differences:
            raise NotReplaceable(f"{source}: {', '.join(differences)} changed")
        inherit(old, new)
        enrich(self.generators, generator, old, new)
        self.swap(old, new)
        return new

    def swap(self, old: Content, new: Content) -> None:
        """Put ``new`` wherever the model holds ``old``: the generators' lists and maps, the
        template context, and the other posts' attributes (neighbours, translations)."""
        seen: set[int] = set()
        for generator in self.generators:
            swap_in(vars(generator), old, new, _SWAP_DEPTH, seen)
            context = getattr(generator, "context", None)
            if isinstance(context, dict):
                swap_in(context, old, new, _SWAP_DEPTH, seen)
        for content in site_content(self.generators):
            if content is not new:
                swap_in(vars(content), old, new, 1, seen)


def read_again(generator: Any, old: Content) -> Content:
    """Return the post ``old`` read again from its file by ``generator``'s readers, with the
    signals a full build sends; raises :class:`NotReplaceable` when it is not valid."""
    is_article = isinstance(generator, ArticlesGenerator)
    kind = "article" if is_article else "page"
    path = os.path.relpath(old.source_path, generator.path)
    try:
        new = generator.readers.read_file(
            base_path=generator.path,
            path=path,
            content_class=Article if is_article else Page,
            context=generator.context,
            preread_signal=getattr(signals, f"{kind}_generator_preread"),
            preread_sender=generator,
            context_signal=getattr(signals, f"{kind}_generator_context"),
            context_sender=generator,
        )
    except Exception as error:
        raise NotReplaceable(f"{path}: {type(error).__name__}: {error}") from error
    if not isinstance(new, Content) or not new.is_valid():
        raise NotReplaceable(f"{path} is not a valid {kind}")
    return new


def placing_differences(old: Content, new: Content) -> list[str]:
    """Return the names of the :data:`PLACING_ATTRIBUTES` whose value differs between the
    post as the model holds it (``old``) and as it was read again (``new``)."""
    missing = object()
    differences = []
    if type(old) is not type(new):
        differences.append("type")
    for name in PLACING_ATTRIBUTES:
        before, after = getattr(old, name, missing), getattr(new, name, missing)
        if name in ("tags", "authors"):
            before, after = _names(before), _names(after)
        elif name == "category":
            before, after = _name(before), _name(after)
        if before != after:
            differences.append(name)
    return differences


def _name(value: Any) -> Any:
    return str(value) if value is not None else value


def _names(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return value


def inherit(old: Content, new: Content) -> None:
    """Give ``new`` what the build set on ``old`` that a read does not (its translations,
    neighbours, plugins' attributes): every attribute of ``old`` that ``new`` lacks, except
    those a read sets only from front matter ``new`` no longer has (a removed ``Summary:``
    must not come back from the old post)."""
    own = vars(new)
    for name, value in vars(old).items():
        if name not in own and not _set_by_reading(name, old):
            own[name] = value


def _set_by_reading(name: str, content: Content) -> bool:
    # Pelican's Content sets these from the front matter when it has them: the fields
    # themselves, "override_url" and the like, "_summary", "locale_modified", the authors.
    if name.startswith("_") or name in content.metadata or name in _READ_ONLY_IF_GIVEN:
        return True
    return name.startswith("override_") and name.removeprefix("override_") in content.metadata


def relations(content: Content) -> dict[str, Any]:
    """Return the attributes of ``content`` that hold other posts or pages (its neighbours,
    its translations), which only the whole model can tell."""
    found = {}
    for name, value in vars(content).items():
        if name in content.metadata:
            continue
        if isinstance(value, Content) or (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(item, Content) for item in value)
        ):
            found[name] = value
    return found


def one_post_view(generator: Any, old: Content, new: Content) -> Any:
    """Return a copy of ``generator`` whose lists of posts hold only ``new`` (in the lists
    that held ``old``); everything else (settings, context, templates) is shared."""
    view = copy.copy(generator)
    for name, value in vars(generator).items():
        if isinstance(value, list) and value and isinstance(value[0], Content):
            setattr(view, name, [new] if any(item is old for item in value) else [])
    return view


def enrich(generators: list[Any], owner: Any, old: Content, new: Content) -> None:
    """Run on ``new`` the plugins' per-post work of a full build (``owner`` is the generator
    that holds ``old``), through one-post views; keep the model's relations and context."""
    kept_relations = relations(old)
    views = [one_post_view(generator, old, new) for generator in generators]
    context = owner.context
    kept_context = dict(context)
    try:
        view = views[generators.index(owner)]
        if isinstance(owner, ArticlesGenerator):
            signals.article_generator_pretaxonomy.send(view)
            signals.article_generator_finalized.send(view)
        else:
            signals.page_generator_finalized.send(view)
        signals.all_generators_finalized.send(views)
        for each in views:
            if hasattr(each, "refresh_metadata_intersite_links"):
                each.refresh_metadata_intersite_links()
    finally:
        context.clear()
        context.update(kept_context)
    vars(new).update(kept_relations)


def swap_in(container: Any, old: Any, new: Any, depth: int, seen: set[int]) -> None:
    """Replace ``old`` by ``new`` (compared by identity) in ``container`` and the lists,
    tuples' lists and dicts it holds, ``depth`` levels down; ``seen`` spares a container
    searched already."""
    if depth <= 0 or id(container) in seen:
        return
    if isinstance(container, dict):
        seen.add(id(container))
        for key, value in container.items():
            if value is old:
                container[key] = new
            elif isinstance(value, (list, dict, tuple)):
                swap_in(value, old, new, depth - 1, seen)
    elif isinstance(container, list):
        seen.add(id(container))
        for index, value in enumerate(container):
            if value is old:
                container[index] = new
            elif isinstance(value, (list, dict, tuple)):
                swap_in(value, old, new, depth - 1, seen)
    elif isinstance(container, tuple):
        for value in container:
            if isinstance(value, (list, dict, tuple)):
                swap_in(value, old, new, depth - 1, seen)


def sources_in(paths: Iterable[Path]) -> Iterator[str]:
    """Yield the absolute, resolved form of each of ``paths``, as the model names sources."""
    for path in paths:
        yield str(Path(path).resolve())
