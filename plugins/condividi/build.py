"""A safe site build: Pelican writes into a fresh folder that replaces ``output/`` only on success.

A post with a malformed date, no title, broken metadata or invalid UTF-8 makes Pelican log an
error and skip the file; a plain ``pelican`` run would still publish the rest of the site. Here
any error logged during the build fails it, names the file and the problem, and leaves the
previously published output untouched.

A plugin that must act only on a build that succeeded (the newsletter records its editions
for the send step) connects to :data:`build_succeeded`, as it would to one of Pelican's
signals. A plain ``pelican`` run never sends it: that command cannot tell whether it failed.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from blinker import Signal
from pelican import Pelican
from pelican.settings import read_settings

build_succeeded = Signal(
    """Sent with the :class:`~pelican.Pelican` object once its run logged no error.

    ``pelican.settings`` are the build's settings; ``pelican.output_path`` is the folder the
    pages were written to: in :func:`build_site`, the staging folder that replaces ``output/``
    right after the receivers return. A receiver that raises or logs an error fails the build,
    and the old output stays; so a receiver does whatever may fail before it writes anything.
    """
)


# Work a plugin handed to later(), by id of the build's settings (see later()).
LaterWork = Callable[..., list[str]]
_later: dict[int, list[LaterWork]] = {}


def later(settings: Mapping[str, Any], work: LaterWork) -> bool:
    """Hand ``work``, which no page needs (drawing social cards), to run once the build's
    output is served, if the build allows it; return whether it was taken.

    ``BUILD_LATER`` (off by default; ``make serve``'s builds set it) allows it: the preview
    calls ``work(output, interrupted)`` after the build, in the background, and ``work``
    returns the files it wrote into ``output``, stopping early when ``interrupted()``. When
    it returns False (``make html``, ``make publish``), the caller does the work at once.
    """
    if not settings.get("BUILD_LATER", False):
        return False
    _later.setdefault(id(settings), []).append(work)
    return True


def take_later(settings: Mapping[str, Any]) -> list[LaterWork]:
    """Return (and forget) the work handed to :func:`later` during the build of ``settings``."""
    return _later.pop(id(settings), [])


class BuildError(RuntimeError):
    """The build failed; ``problems`` lists each error message Pelican or a plugin reported."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the site was not built:\n" + "\n".join(f"- {p}" for p in problems))


HandlerT = TypeVar("HandlerT", bound=logging.Handler)


class ErrorCollector(logging.Handler):
    """Keeps the message of every ERROR (or worse) record its thread logs while it is attached.

    Only its own thread's: ``make serve`` builds in a thread of a process that may build
    something else at the same time, and neither build may fail on the other's errors.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        # Pelican logs "Could not process <file>" from inside its except block without the
        # exception unless DEBUG is set; handlers run synchronously, so the cause is still here.
        error = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        if error is not None:
            detail = f"{type(error).__name__}: {error}"
            if str(error) not in message:
                message = f"{message}: {detail}"
        self.messages.append(" ".join(message.split()))


@contextmanager
def attached(handler: HandlerT) -> Iterator[HandlerT]:
    """Yield ``handler``, attached to the root logger for the ``with`` block."""
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def collect_errors() -> AbstractContextManager[ErrorCollector]:
    """Return a context yielding an :class:`ErrorCollector` attached for its ``with`` block."""
    return attached(ErrorCollector())


def load_settings(settings_file: Path, overrides: Mapping[str, Any] | None = None) -> dict:
    """Return Pelican's settings read from ``settings_file`` with ``overrides`` applied."""
    return read_settings(str(settings_file), override=dict(overrides or {}))


def run_pelican(settings: dict) -> None:
    """Run one Pelican build with ``settings``, then send :data:`build_succeeded` if it is clean.

    Raises :class:`BuildError` listing every error Pelican, a plugin or a receiver of
    :data:`build_succeeded` logged or raised; the signal is not sent after an error.
    """
    with collect_errors() as collector:
        try:
            pelican = Pelican(settings)
            pelican.run()
            if not collector.messages:
                build_succeeded.send(pelican)
        except Exception as error:  # a plugin, a receiver or Pelican itself stopped the build
            collector.messages.append(f"{type(error).__name__}: {error}")
    if collector.messages:
        take_later(settings)  # nothing of a failed build is published, later or now
        raise BuildError(collector.messages)


def build_site(
    settings_file: Path,
    output: Path,
    overrides: Mapping[str, Any] | None = None,
    remove: Callable[[Path], None] | None = None,
) -> Path:
    """Build the site of ``settings_file`` and swap the result into ``output``.

    Pelican writes into a new sibling folder of ``output``; only when the build logged no error
    does that folder replace ``output``, right after :data:`build_succeeded` was sent. The old
    output is deleted by ``remove`` (at once when None; ``make serve`` deletes it in the
    background). Returns ``output``; raises :class:`BuildError` (with ``output`` untouched)
    when the build failed.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    settings = load_settings(settings_file, {**(overrides or {}), "OUTPUT_PATH": str(staging)})
    try:
        run_pelican(settings)
    except BaseException:
        take_later(settings)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_into_place(staging, output, remove)
    return output


def remove_folder(folder: Path) -> None:
    """Delete ``folder`` and everything in it, if it is there."""
    shutil.rmtree(folder, ignore_errors=True)


def swap_into_place(
    staging: Path, output: Path, remove: Callable[[Path], None] | None = None
) -> None:
    """Replace the folder ``output`` by ``staging`` with two renames; the old one is given to
    ``remove`` (:func:`remove_folder` when None)."""
    os.chmod(staging, 0o755)
    # A name of its own: an older one may still be being deleted in the background.
    retired = output.with_name(f".{output.name}.old-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    (remove or remove_folder)(retired)
