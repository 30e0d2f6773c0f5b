"""Posts converted ahead in another process: the same site, byte for byte.

Read-ahead forks, so it runs only in a process without threads: each build here runs in a
fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import corpus
from condividi.config import ConfigError
from condividi.readahead import reader_processes
from tests.conftest import copy_project
from tests.preview_support import tree

BUILD = """
import json, sys
from pathlib import Path
from condividi import readahead
from condividi.build import build_site
taken, asked, planned = [], [], []
original_init, original_take = readahead.ReadAhead.__init__, readahead.ReadAhead.take
def init(self, reader, paths, processes):
    planned.extend(paths)
    original_init(self, reader, paths, processes)
def take(self, path):
    asked.append(path)
    converted = original_take(self, path)
    taken.append(converted is not None)
    return converted
readahead.ReadAhead.__init__, readahead.ReadAhead.take = init, take
project, output, processes = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
caching = sys.argv[4] == "cache"
build_site(project / "publishconf.py", output, {
    "PATH": str(project / "content"), "CACHE_PATH": str(project / "cache"),
    "SITEURL": "https://blog.example.org", "READER_PROCESSES": processes,
    "CACHE_CONTENT": caching, "LOAD_CONTENT_CACHE": caching})
print(json.dumps({"taken": sum(taken), "in_order": asked == planned, "planned": len(planned)}))
"""


def _build(
    project: Path, output: Path, processes: int, caching: bool = False
) -> dict[str, int | bool]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BUILD,
            str(project),
            str(output),
            str(processes),
            "cache" if caching else "no-cache",
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
    )
    # The build's own words, when it fails, say why (a bare exit status does not).
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_posts_converted_ahead_make_the_same_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    corpus.write_corpus(project / "content", 80)
    assert _build(project, tmp_path / "serial", 1)["taken"] == 0
    parallel = _build(project, tmp_path / "parallel", 2)
    assert parallel["taken"] > 0
    # Pelican reads its posts in the order of a set; the workers must go in that same order,
    # or the build reaches batches they have not started and converts nearly all of it alone.
    assert parallel["in_order"]
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")


def test_posts_in_the_content_cache_are_not_converted_ahead(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    corpus.write_corpus(project / "content", 80)
    first = _build(project, tmp_path / "first", 2, caching=True)
    assert first["planned"] > 80
    # Pelican takes every post from its cache: no worker is started for any of them.
    again = _build(project, tmp_path / "again", 2, caching=True)
    assert again["planned"] == 0
    assert tree(tmp_path / "again") == tree(tmp_path / "first")


def test_reader_processes_setting() -> None:
    assert reader_processes({}) == (os.cpu_count() or 1)
    assert reader_processes({"READER_PROCESSES": 1}) == 1
    assert reader_processes({"READER_PROCESSES": 3}) == 3
    with pytest.raises(ConfigError, match="READER_PROCESSES"):
        reader_processes({"READER_PROCESSES": -1})
    with pytest.raises(ConfigError, match="READER_PROCESSES"):
        reader_processes({"READER_PROCESSES": "two"})
