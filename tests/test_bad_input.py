"""A broken post stops a publish build, names the file and the problem, and loses nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project

GOOD_POST = "Title: Buono\nDate: 2026-05-01 10:00\nCategory: Strategia\n\nTesto.\n"
BROKEN_POSTS = {
    "malformed-date.md": (
        b"Title: Data sbagliata\nDate: 2026-13-45 99:99\nCategory: Strategia\n\nTesto.\n",
        "date",
    ),
    "missing-title.md": (b"Date: 2026-05-01 10:00\nCategory: Strategia\n\nTesto.\n", "title"),
    "broken-metadata.md": (
        b"Title: Metadati rotti\nDate: 2026-05-01 10:00\nStatus: pubblicato-forse\n\nTesto.\n",
        "status",
    ),
    "invalid-utf8.md": (
        b"Title: Codifica \xff\xfe rotta\nDate: 2026-05-01 10:00\n\nTesto \xe0 caso.\n",
        "utf-8",
    ),
}


def publish(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "condividi", "build", "--settings", "publishconf.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("bad-input"))
    result = publish(project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.parametrize("name", sorted(BROKEN_POSTS))
def test_broken_post_stops_publish_and_keeps_output(project: Path, name: str) -> None:
    source, problem = BROKEN_POSTS[name]
    output = project / "output"
    before = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    post = project / "content" / "articles" / name
    post.write_bytes(source)
    try:
        result = publish(project)
    finally:
        post.unlink()
    assert result.returncode != 0
    assert name in result.stderr, result.stderr
    assert problem in result.stderr.lower(), result.stderr
    after = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before
    assert not list(project.glob(".output.building-*"))


def test_good_post_is_published(project: Path) -> None:
    post = project / "content" / "articles" / "buono.md"
    post.write_text(GOOD_POST, encoding="utf-8")
    try:
        result = publish(project)
    finally:
        post.unlink()
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "buono" / "index.html").is_file()
