"""The preview's two builds: the pages of the changed posts at once, then the whole site.

A **quick build** runs Pelican as far as the complete site model (every post read, every
plugin's enrichment done: the moment Pelican asks for a writer), with unchanged posts taken
from the :class:`~condividi.preview.readcache.ReadCache`; then it renders only the pages whose
source changed, in a scratch folder, and moves each into ``output/`` in one rename.

A **full build** is :func:`condividi.build.build_site`, the one ``make publish`` and
``make html`` run (staging folder, swap on success, old output kept on error), with the same
cache. It stops early with :class:`Superseded` when a newer change is waiting, and reports the
files whose bytes changed, so the browser reloads only the pages that did.

The cache and the hooks below act only on builds run by a :class:`Pipeline` in its own
thread; any other build in the same process runs as it would anywhere.
"""

from __future__ import annotations

import filecmp
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.writers import Writer

from condividi.build import (
    BuildError,
    LaterWork,
    build_site,
    build_succeeded,
    collect_errors,
    load_settings,
    remove_folder,
    take_later,
)
from condividi.filecache import publish_file
from condividi.preview.model import NotReplaceable, SiteModel
from condividi.preview.readcache import ReadCache
from condividi.preview.watcher import SOURCE_SUFFIXES
from condividi.theme import site_content


class Superseded(BaseException):
    """A newer change arrived while a full build ran: that build is abandoned, not failed.

    A ``BaseException``, so that no ``except Exception`` on its way out (Pelican logs and skips
    a post whose reading raises one) takes it for an error.
    """


class _ModelReady(BaseException):
    """Stops a quick build's Pelican run once the site model is complete, before any writing."""


@dataclass(frozen=True)
class Outcome:
    """What one build did.

    ``kind`` is ``"quick"``, ``"full"`` or ``"later"`` (what a full build left for after its
    pages: the social cards it lacked); ``problems`` the errors that stopped it (nothing was
    published then); ``changed`` the files of ``output/`` it wrote or whose bytes it changed,
    as paths relative to ``output/`` (``saggio/index.html``); ``seconds`` how long it took.
    """

    kind: str
    problems: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Tell whether the build succeeded."""
        return not self.problems


class TemplateCache(BytecodeCache):
    """Compiled templates kept in memory between builds (Jinja's bytecode cache).

    Each build makes new Jinja environments, which would compile every template again (a
    tenth of a one-post preview). A template whose source changed has another checksum, so
    it is compiled afresh; :meth:`clear` drops everything when the settings change (they may
    change how templates compile).
    """

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill ``bucket`` with the compiled template kept for it, if any."""
        with self._lock:
            kept = self._compiled.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.bytecode_from_string(kept[1])

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the template ``bucket`` has just compiled."""
        with self._lock:
            self._compiled[bucket.key] = (bucket.checksum, bucket.bytecode_to_string())

    def clear(self) -> None:
        """Forget every compiled template."""
        with self._lock:
            self._compiled.clear()


@dataclass
class _Run:
    """The state of the build this thread is running, for the signal receivers."""

    cache: ReadCache
    templates: TemplateCache
    interrupted: Callable[[], bool] | None = None
    stop_at_model: bool = False
    generators: list[Any] = field(default_factory=list)
    compare_with: Path | None = None
    changed: list[str] | None = None
    # Held from the end of a full build until its output is swapped in (see Pipeline).
    output_lock: Any = None
    holding_output: bool = False


_local = threading.local()


def _current() -> _Run | None:
    return getattr(_local, "run", None)


@contextmanager
def _running(run: _Run) -> Iterator[_Run]:
    previous = _current()
    _local.run = run
    try:
        yield run
    finally:
        _local.run = previous


def _on_generator_init(generator: Any) -> None:
    run = _current()
    if run is not None:
        run.cache.attach(generator.readers)
        generator.env.bytecode_cache = run.templates


def _on_progress(sender: Any, **kwargs: Any) -> None:
    run = _current()
    if run is not None and run.interrupted is not None and run.interrupted():
        raise Superseded


def _on_all_generators_finalized(generators: list[Any]) -> None:
    run = _current()
    if run is not None:
        run.generators = list(generators)


def _on_get_writer(pelican: Any) -> None:
    # Pelican asks for its writer right after it completed the site model (intersite links
    # in summaries resolved), before any page is written: a quick build stops there.
    run = _current()
    if run is not None and run.stop_at_model:
        raise _ModelReady


def _on_build_succeeded(pelican: Any) -> None:
    run = _current()
    if run is not None and run.output_lock is not None:
        # From here to the swap the output must not change: a quick build waits.
        run.output_lock.acquire()
        run.holding_output = True
    if run is not None and run.compare_with is not None:
        run.changed = changed_files(Path(pelican.output_path), run.compare_with)


def _connect_hooks() -> None:
    """Connect the receivers that let a pipeline's builds use its cache (idempotent)."""
    signals.generator_init.connect(_on_generator_init)
    for progress in (
        signals.article_generator_preread,
        signals.page_generator_preread,
        signals.content_written,
    ):
        progress.connect(_on_progress)
    signals.all_generators_finalized.connect(_on_all_generators_finalized)
    signals.get_writer.connect(_on_get_writer)
    build_succeeded.connect(_on_build_succeeded)


class SelectiveWriter(Writer):
    """Pelican's writer, writing only the files named in ``selected`` (paths like ``save_as``).

    Pelican 4.12 dropped ``WRITE_SELECTED``; this is the same idea, checked before rendering.
    """

    def __init__(self, output_path: str, settings: dict[str, Any], selected: set[str]) -> None:
        super().__init__(output_path, settings=settings)
        self.selected = selected
        self.written: list[str] = []

    def write_file(self, name: Any, *args: Any, **kwargs: Any) -> None:
        """Render and write ``name`` if it is selected (see Pelican's ``Writer.write_file``)."""
        if name not in self.selected:
            return
        super().write_file(name, *args, **kwargs)
        self.written.append(name)


def pages_of(generators: Iterable[Any], sources: set[str]) -> set[str]:
    """Return the ``save_as`` of every article and page whose source file is in ``sources``
    (absolute paths), drafts and hidden ones included."""
    return {
        content.save_as
        for content in site_content(generators)
        if content.source_path in sources and content.save_as
    }


def write_pages(generators: list[Any], settings: dict[str, Any], selected: set[str]) -> list[str]:
    """Render the ``selected`` pages of the site model ``generators`` into ``OUTPUT_PATH``.

    Each page is written by the generator that writes it in a full build, with the same
    template and context. Returns the pages written.
    """
    writer = SelectiveWriter(settings["OUTPUT_PATH"], settings, selected)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            write = partial(writer.write_file, relative_urls=settings["RELATIVE_URLS"])
            generator.generate_articles(write)
            generator.generate_drafts(write)
        elif isinstance(generator, PagesGenerator):
            generator.generate_output(writer)
    return writer.written


def place_side_files(generators: list[Any] | None, output: Path) -> list[str]:
    """Link into ``output`` the files the quick build's pages need besides themselves (the
    resized copies of their images) that it lacks; return their paths in ``output``.

    Plugins list them in the context as ``CONDIVIDI_SIDE_FILES`` (path in the output: cached
    file); a full build writes them anyway.
    """
    side_files = generators[0].context.get("CONDIVIDI_SIDE_FILES", {}) if generators else {}
    placed = []
    for name, cached in side_files.items():
        target = output / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            publish_file(Path(cached), target)
            placed.append(name)
    return placed


def changed_files(new: Path, old: Path) -> list[str]:
    """Return the files that differ between the folders ``new`` and ``old``: added, removed, or
    with other bytes, as sorted paths relative to them (``saggio/index.html``)."""
    changed: set[str] = set()
    new_files = set(_files(new))
    old_files = set(_files(old))
    changed.update(new_files ^ old_files)
    for name in new_files & old_files:
        try:
            if not filecmp.cmp(new / name, old / name, shallow=False):
                changed.add(name)
        except OSError:
            changed.add(name)
    return sorted(changed)


def _files(root: Path) -> Iterator[str]:
    for folder, _, names in os.walk(root):
        relative = Path(folder).relative_to(root)
        for name in names:
            yield (relative / name).as_posix()


class Pipeline:
    """Builds one site for the preview: settings file, output folder, settings overrides.

    Every build goes through :func:`condividi.build.load_settings` and Pelican's own code;
    the pipeline adds its :class:`ReadCache` and :class:`TemplateCache`, the early stop and the
    scratch folder of quick builds (``.<output>.preview`` beside the output, on the same file
    system).
    """

    def __init__(
        self, settings_file: Path, output: Path, overrides: Mapping[str, Any] | None = None
    ) -> None:
        self.settings_file = settings_file
        self.output = output.resolve()
        self.overrides = dict(overrides or {})
        self.cache = ReadCache()
        self.templates = TemplateCache()
        self.scratch = self.output.with_name(f".{self.output.name}.preview")
        # The site model of the last build that completed one (a full build, or a quick
        # build that read every post), with the saves since put into it; None when unknown.
        self.model: SiteModel | None = None
        # What the last full build left for after its pages (see condividi.build.later).
        self.later: list[LaterWork] = []
        # Quick builds run in their own thread while a full build may run in another: one
        # lock for the kept model (and the scratch folder), one for the output folder,
        # which a full build swaps whole.
        self._model_lock = threading.RLock()
        self._output_lock = threading.Lock()
        self._removers: list[threading.Thread] = []
        _connect_hooks()

    def forget(self) -> None:
        """Drop every cached read, compiled template and the kept model (the settings
        changed)."""
        self.cache.forget()
        self.templates.clear()
        self.drop_model()

    def _remove_in_background(self, folder: Path) -> None:
        # The old output of a swap is no longer served: deleting a thousand folders takes
        # seconds the site need not wait for.
        remover = threading.Thread(
            target=remove_folder, args=(folder,), name="remove-old-output", daemon=True
        )
        self._removers = [thread for thread in self._removers if thread.is_alive()]
        self._removers.append(remover)
        remover.start()

    def wait_for_removals(self, timeout: float = 30.0) -> None:
        """Wait until the old outputs being deleted in the background are gone."""
        for remover in self._removers:
            remover.join(timeout)
        self._removers = []

    def drop_model(self) -> None:
        """Forget the kept site model: a change it cannot take in (a template, an image, a
        deleted post) happened, so the next quick build reads the whole model again."""
        with self._model_lock:
            self.model = None

    def _keep_model(self, generators: list[Any]) -> None:
        if not generators:
            self.model = None
            return
        model = SiteModel(generators, generators[0].settings)
        model.render_into(self.scratch)
        self.model = model

    def full_build(self, interrupted: Callable[[], bool] | None = None) -> Outcome:
        """Build the whole site into the output folder, as ``make html`` does.

        Raises :class:`Superseded` as soon as ``interrupted()`` says a newer change waits
        (the output is untouched then). Returns the outcome: its ``changed`` files, or the
        problems that kept the old output in place.
        """
        started = time.perf_counter()
        had_output = self.output.is_dir()
        run = _Run(
            self.cache,
            self.templates,
            interrupted,
            compare_with=self.output if had_output else None,
            output_lock=self._output_lock,
        )
        with _running(run):
            try:
                build_site(
                    self.settings_file,
                    self.output,
                    {**self.overrides, "BUILD_LATER": True},
                    remove=self._remove_in_background,
                )
            except BuildError as error:
                with self._model_lock:
                    self.model = None
                return Outcome("full", tuple(error.problems), (), time.perf_counter() - started)
            finally:
                if run.holding_output:
                    self._output_lock.release()
        with self._model_lock:
            self._keep_model(run.generators)
        self.later = take_later(run.generators[0].settings) if run.generators else []
        changed = run.changed if run.changed is not None else list(_files(self.output))
        return Outcome("full", (), tuple(changed), time.perf_counter() - started)

    def finish_later(self, interrupted: Callable[[], bool] | None = None) -> Outcome | None:
        """Do what the last full build left for after its pages (draw the social cards it
        lacked) into the output folder; return the outcome, or None when nothing was left.

        Stops early when ``interrupted()`` says a newer change waits: the next full build
        finds the same work undone and leaves it again.
        """
        works, self.later = self.later, []
        if not works:
            return None
        started = time.perf_counter()
        written: list[str] = []
        with collect_errors() as collector:
            for work in works:
                try:
                    written += work(self.output, interrupted)
                except Exception as error:  # keep serving the pages; say what failed
                    collector.messages.append(f"{type(error).__name__}: {error}")
        problems = tuple(collector.messages)
        return Outcome("later", problems, tuple(sorted(written)), time.perf_counter() - started)

    def quick_build(self, sources: Iterable[Path], changed: Iterable[Path] = ()) -> Outcome:
        """Write the pages made from ``sources`` (changed source files) into the output folder.

        ``changed`` is every path that changed with them (an editor's temporary files, a
        template). When only saved posts changed and the kept model has them, each is read
        again and replaced in it (:mod:`condividi.preview.model`); otherwise the model is
        built again, every post from the cache and the changed ones afresh. Either way the
        pages show their neighbours, menus and counts as they are now, only the pages of
        ``sources`` are rendered, and nothing is written when a problem is logged.
        Returns the outcome, with the pages written.
        """
        started = time.perf_counter()
        wanted = {str(Path(source).resolve()) for source in sources}
        with self._model_lock:
            quick = self._quick_from_model(wanted, changed, started)
            if quick is not None:
                return quick
            return self._quick_from_scratch(wanted, started)

    def _quick_from_model(
        self, wanted: set[str], changed: Iterable[Path], started: float
    ) -> Outcome | None:
        """Replace the saved posts in the kept model and write their pages; None when the
        model cannot take these changes (it is dropped then, and built again)."""
        model = self.model
        if model is None or not wanted or not _only_saves(wanted, changed):
            return None
        written: list[str] = []
        with collect_errors() as collector:
            try:
                for source in sorted(wanted):
                    model.replace(source)
                written = write_pages(
                    model.generators, model.settings, pages_of(model.generators, wanted)
                )
            except NotReplaceable as reason:
                collector.messages.append(str(reason))
            except Exception as error:  # a plugin or a template failed: the slow path says
                collector.messages.append(f"{type(error).__name__}: {error}")
        if collector.messages or not written:
            self.model = None  # perhaps half replaced: the slow path builds it again
            return None
        self._publish(written)
        return Outcome("quick", (), tuple(sorted(written)), time.perf_counter() - started)

    def _publish(self, written: Iterable[str]) -> None:
        with self._output_lock:
            for name in written:
                target = self.output / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.scratch / name, target)

    def _quick_from_scratch(self, wanted: set[str], started: float) -> Outcome:
        """Build the site model again (unchanged posts from the cache), keep it, and write
        the pages of ``wanted``."""
        settings = load_settings(
            self.settings_file, {**self.overrides, "OUTPUT_PATH": str(self.scratch)}
        )
        run = _Run(self.cache, self.templates, stop_at_model=True)
        written: list[str] = []
        with collect_errors() as collector, _running(run):
            try:
                Pelican(settings).run()
            except _ModelReady:
                pass
            except Exception as error:  # a plugin or Pelican itself stopped the build
                collector.messages.append(f"{type(error).__name__}: {error}")
            if not collector.messages and run.generators:
                selected = pages_of(run.generators, wanted)
                try:
                    written = write_pages(run.generators, settings, selected)
                except Exception as error:  # a template failed to render
                    collector.messages.append(f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - started
        if collector.messages:
            self.model = None
            return Outcome("quick", tuple(collector.messages), (), seconds)
        place_side_files(run.generators, self.output)
        self._keep_model(run.generators)
        self._publish(written)
        return Outcome("quick", (), tuple(sorted(written)), time.perf_counter() - started)


def _only_saves(wanted: set[str], changed: Iterable[Path]) -> bool:
    """Tell whether ``changed`` holds nothing but the saved sources ``wanted`` and files that
    are gone and were no posts (an editor's temporary file, renamed over the post)."""
    for path in changed:
        path = Path(path)
        if str(path.resolve()) in wanted:
            continue
        if path.exists() or path.suffix.lower() in SOURCE_SUFFIXES:
            return False
    return True
