"""``make serve``: the site, rebuilt as files are saved and reloaded in the browser, plus the
local services it uses.

The site is built and served by this process (:mod:`condividi.preview`): a saved post is on
its page within a second, the rest of the site follows, and open pages reload by themselves.
Each capability that needs a local process (the comment server, the signup endpoint) offers a
factory for it; they run as child processes (:mod:`condividi.services`), and everything stops
on Ctrl-C, on SIGTERM, or when one of them exits.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from condividi.build import load_settings
from condividi.comments.isso import dev_service as comments_service
from condividi.comments.isso_mail import sink_service as comment_mail_sink_service
from condividi.newsletter.commands import signup_service
from condividi.preview.pipeline import Outcome, Pipeline
from condividi.preview.rebuilder import Rebuilder
from condividi.preview.server import EventHub, PreviewServer
from condividi.preview.watcher import SiteFiles, Watcher
from condividi.services import (
    Service,
    ServiceFactory,
    ignore_stop_signals,
    run_services,
    stop_on_signals,
)

# The comment mail's sink first: Isso checks its SMTP server as it starts.
SERVICE_FACTORIES: list[ServiceFactory] = [
    comment_mail_sink_service,
    comments_service,
    signup_service,
]
# Files a build changed that the terminal names one by one; more are counted.
NAMED_FILES = 3


class DevSite:
    """The site part of ``make serve``: its builds, its watcher and its web server.

    Takes the project folder, the port, the settings file (``pelicanconf.py``), settings
    overrides, and headers the server adds to every answer. Binds the port when created
    (``OSError`` if it is taken); :meth:`start` starts building, watching and serving.
    """

    def __init__(
        self,
        project: Path,
        port: int,
        settings_file: str = "pelicanconf.py",
        overrides: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        output: Path | None = None,
    ) -> None:
        settings_path = project / settings_file
        output = output or project / "output"
        self.pipeline = Pipeline(settings_path, output, overrides)
        self.hub = EventHub()
        self.rebuilder = Rebuilder(self.pipeline, self._report, warn=_say)
        self.server = PreviewServer(
            self.pipeline.output, port, self.rebuilder.status, self.hub, headers
        )
        inputs = SiteFiles.from_settings(load_settings(settings_path, overrides), settings_path)
        self.watcher = Watcher(inputs, self.rebuilder.changed)
        self._serving = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)
        self._started = time.perf_counter()
        self._announced = False

    @property
    def url(self) -> str:
        """Return the address the site is served at."""
        return self.server.url

    def start(self) -> None:
        """Serve at once (a "building" page until the first build is done), watch, build."""
        self._serving.start()
        self.watcher.start()
        self.rebuilder.start()
        _say(f"serving the site on {self.url} (building it now)")

    def poll(self) -> int | None:
        """Return None while the server and the build thread run, else an exit code."""
        if self._serving.is_alive() and self.rebuilder.is_alive():
            return None
        _say("the site's server or build loop stopped")
        return 1

    def stop(self) -> None:
        """Stop watching, building and serving; remove the quick builds' scratch folder."""
        self.watcher.stop()
        self.rebuilder.stop()
        self.hub.close()
        if self._serving.is_alive():
            self.server.shutdown()
        self.server.server_close()
        self.pipeline.wait_for_removals()
        shutil.rmtree(self.pipeline.scratch, ignore_errors=True)

    def _report(self, outcome: Outcome) -> None:
        if not outcome.ok:
            where = "still serves the last good version" if self._announced else "waits for a fix"
            _say(
                f"the site was not rebuilt; {self.url} {where}:\n"
                + "\n".join(f"  - {problem}" for problem in outcome.problems)
            )
            self.hub.publish("problem", {"problems": list(outcome.problems)})
            return
        self.hub.publish("ok", {})
        self.hub.reload(outcome.changed)
        if outcome.kind == "quick":
            _say(f"{_names(outcome.changed)} updated in {outcome.seconds:.2f} s; the rest follows")
        elif outcome.kind == "later":
            _say(f"{_names(outcome.changed)} made after the pages in {outcome.seconds:.1f} s")
        elif not self._announced:
            self._announced = True
            took = time.perf_counter() - self._started
            _say(f"site built in {took:.1f} s: {self.url}")
        else:
            _say(f"site rebuilt in {outcome.seconds:.1f} s ({_names(outcome.changed)} changed)")


def _names(files: tuple[str, ...]) -> str:
    if not files:
        return "no file"
    named = ", ".join(files[:NAMED_FILES])
    more = len(files) - NAMED_FILES
    return f"{named} and {more} more" if more > 0 else named


def _say(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"condividi: {stamp} {message}", flush=True)


def serve(project: Path, port: int, services: bool = True) -> int:
    """Run the development site on ``port`` with every local service; return an exit code.

    With ``services`` False, only the site (no comment server, no signup endpoint).
    """
    # The services' settings (pelicanconf.py) derive SITEURL from PORT, as the site's do.
    os.environ["PORT"] = str(port)
    stop_on_signals()  # a Ctrl-C while the site is set up stops it with one line, too
    try:
        site = DevSite(project, port)
        children: list[Service] = []
        if services:
            for factory in SERVICE_FACTORIES:
                service = factory(project)
                if service is not None:
                    children.append(service)
    except OSError as error:
        print(f"condividi: cannot serve on 127.0.0.1:{port}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        ignore_stop_signals()
        print("\ncondividi: stopping", flush=True)
        return 0
    site.start()
    return run_services(children, cwd=project, local=site)
