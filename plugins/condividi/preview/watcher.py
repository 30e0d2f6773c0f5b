"""Which saved files call for which rebuild, and the watch that reports them (watchfiles).

A saved post or page (a file Pelican reads under ``PATH``) gets a quick build of its page;
every change gets a full build; a change to the settings file empties the read cache (a
setting may change how every post is read); a change to the plugins' code cannot be loaded
into the running process, so the author is told to restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles
from pelican.readers import HTMLReader, MarkdownReader, RstReader

# The extensions of the files Pelican reads as posts and pages (Markdown, reST, HTML).
SOURCE_SUFFIXES = frozenset(
    f".{extension}"
    for reader in (MarkdownReader, RstReader, HTMLReader)
    for extension in reader.file_extensions
)
# How long the watch waits for more changes after one (editors save in several steps), and
# the longest it groups changes that keep coming.
STEP_MS = 30
DEBOUNCE_MS = 400


@dataclass
class ChangeSet:
    """What changed since the last build.

    ``paths``: every changed file; ``sources``: the posts and pages among them that exist
    (saved or added), whose pages a quick build can write; ``settings``: the settings file
    changed; ``code``: a plugin's Python code changed.
    """

    paths: set[Path] = field(default_factory=set)
    sources: set[Path] = field(default_factory=set)
    settings: bool = False
    code: bool = False

    def merge(self, other: ChangeSet) -> None:
        """Add the changes of ``other`` to these."""
        self.paths |= other.paths
        self.sources |= other.sources
        self.settings |= other.settings
        self.code |= other.code

    def __bool__(self) -> bool:
        return bool(self.paths)


@dataclass(frozen=True)
class SiteFiles:
    """Where the site's inputs are: content folder, theme, plugin folders, settings file."""

    content: Path
    theme: Path
    plugins: tuple[Path, ...]
    settings_file: Path

    @classmethod
    def from_settings(cls, settings: dict, settings_file: Path) -> SiteFiles:
        """Return the inputs named in Pelican ``settings`` read from ``settings_file``."""
        base = settings_file.resolve().parent
        return cls(
            content=Path(settings["PATH"]).resolve(),
            theme=Path(settings["THEME"]).resolve(),
            plugins=tuple((base / path).resolve() for path in settings.get("PLUGIN_PATHS", ())),
            settings_file=settings_file.resolve(),
        )

    def folders(self) -> list[Path]:
        """Return the folders to watch (those that exist), each once."""
        found: list[Path] = []
        for folder in (self.content, self.theme, *self.plugins):
            if folder.is_dir() and not any(folder.is_relative_to(f) for f in found):
                found.append(folder)
        return found


def classify(changes: Iterable[tuple[watchfiles.Change, str]], site: SiteFiles) -> ChangeSet:
    """Return the :class:`ChangeSet` of watchfiles ``changes`` to the inputs of ``site``."""
    result = ChangeSet()
    for change, name in changes:
        path = Path(name)
        result.paths.add(path)
        if path == site.settings_file:
            result.settings = True
        elif path.suffix == ".py" and any(path.is_relative_to(p) for p in site.plugins):
            result.code = True
        elif (
            change != watchfiles.Change.deleted
            and path.suffix.lower() in SOURCE_SUFFIXES
            and path.is_relative_to(site.content)
            and path.is_file()
        ):
            result.sources.add(path)
    return result


class Watcher:
    """Watches the site's inputs in two threads and hands each batch of changes to a callback.

    The folders are watched recursively. The settings file is watched through its folder, not
    by itself: editors save by writing a new file over the old one, which ends a watch on the
    file.
    """

    def __init__(self, site: SiteFiles, on_changes: Callable[[ChangeSet], None]) -> None:
        self.site = site
        self.on_changes = on_changes
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(
                target=self._watch, args=(site.folders(), True), name="watch", daemon=True
            ),
            threading.Thread(
                target=self._watch,
                args=([site.settings_file.parent], False),
                name="watch-settings",
                daemon=True,
            ),
        ]

    def start(self) -> None:
        """Start watching."""
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        """Stop watching (within a step or two)."""
        self.stop_event.set()
        for thread in self.threads:
            if thread.ident is not None:  # started
                thread.join(timeout=2)

    def _watch(self, folders: Sequence[Path], recursive: bool) -> None:
        settings_only = None if recursive else self._is_settings_file
        for changes in watchfiles.watch(
            *folders,
            watch_filter=settings_only or watchfiles.DefaultFilter(),
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=self.stop_event,
            recursive=recursive,
            raise_interrupt=False,
        ):
            batch = classify(changes, self.site)
            if batch:
                self.on_changes(batch)

    def _is_settings_file(self, change: watchfiles.Change, name: str) -> bool:
        return Path(name) == self.site.settings_file
