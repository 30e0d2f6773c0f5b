"""Shared by the preview tests: ``make serve``'s site (a real DevSite) on a copy of the sample
site, and small helpers to edit its files and read what it serves."""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from condividi.devserver import DevSite
from condividi.preview.rebuilder import Status
from tests.conftest import copy_project, free_port, wait_for

POST = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"
POST_FILE = f"{POST}.md"
OTHER_POST = "la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti"
# A full build of the sample site takes a few seconds; a loaded machine, several times that.
BUILD_TIMEOUT = 120.0


@dataclass
class Reply:
    """A response of the dev server."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8")


def fetch(url: str, method: str = "GET") -> Reply:
    """Return the answer to ``url``, error statuses included (a missing reply raises)."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def save(path: Path, text: str) -> None:
    """Save ``text`` to ``path`` as an editor does: a new file renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def tree(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under ``folder``, by path relative to it, but for
    Pagefind's entry file: its index hashes differ between two builds of the same pages
    (issue 19 is open on it), so site comparisons leave it out."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() != "pagefind/pagefind-entry.json"
    }


class Preview:
    """A running DevSite on a copy of the sample site in ``project``."""

    def __init__(self, project: Path, headers: Mapping[str, str] | None = None) -> None:
        self.project = project
        port = free_port()
        self.overrides: dict[str, Any] = {
            "SITEURL": f"http://127.0.0.1:{port}",
            "CACHE_PATH": str(project.parent / "cache"),
        }
        self.site = DevSite(project, port, overrides=self.overrides, headers=headers)
        self.url = self.site.url.rstrip("/")
        self.output = self.site.pipeline.output

    @property
    def articles(self) -> Path:
        """The folder of the posts."""
        return self.project / "content" / "articles"

    def get(self, path: str) -> Reply:
        """Return the server's answer for ``path`` (``/saggio/``)."""
        return fetch(self.url + path)

    def status(self) -> Status:
        """Return where the preview stands."""
        return self.site.rebuilder.status()

    def served_status(self) -> dict[str, Any]:
        """Return ``/__condividi/status`` as the server answers it."""
        return json.loads(self.get("/__condividi/status").body)

    def wait_idle(self) -> Status:
        """Wait until the site has caught up with every change; return the status."""
        # The watcher reports a save within a fraction of a second: give it the time to.
        time.sleep(0.6)
        rebuilder = self.site.rebuilder
        caught_up = wait_for(lambda: not rebuilder.status().busy, BUILD_TIMEOUT)
        assert caught_up, "the preview did not catch up with the changes"
        return rebuilder.status()

    def wait_for_text(self, path: str, text: str) -> Reply:
        """Wait until ``path`` answers 200 with ``text`` in it; return that answer."""
        found: list[Reply] = []

        def shows() -> bool:
            reply = self.get(path)
            if reply.status == 200 and text in reply.text:
                found.append(reply)
                return True
            return False

        assert wait_for(shows, BUILD_TIMEOUT), f"{path} never showed {text!r}"
        return found[0]


@contextmanager
def running_preview(folder: Path, headers: Mapping[str, str] | None = None) -> Iterator[Preview]:
    """Start a preview of a copy of the sample site in ``folder``; yield it once built."""
    project = folder / "site"
    project.mkdir()
    copy_project(project)
    running = Preview(project, headers)
    running.site.start()
    try:
        status = running.wait_idle()
        assert status.ready and not status.problems, status.problems
        yield running
    finally:
        running.site.stop()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    """A started preview of a copy of the sample site, built once (stopped afterwards)."""
    with running_preview(tmp_path) as running:
        yield running
