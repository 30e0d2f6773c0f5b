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

from bench import corpus
from tests.conftest import copy_project
from tests.preview_support import tree

BUILD = """
import json, sys
from pathlib import Path
from condividi import readahead
from condividi.build import build_site
taken = []
original = readahead.ReadAhead.take
def take(self, path):
    converted = original(self, path)
    taken.append(converted is not None)
    return converted
readahead.ReadAhead.take = take
project, output, processes = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
build_site(project / "publishconf.py", output, {
    "PATH": str(project / "content"), "CACHE_PATH": str(project / "cache"),
    "SITEURL": "https://blog.example.org", "READER_PROCESSES": processes})
print(json.dumps(sum(taken)))
"""


def _build(project: Path, output: Path, processes: int) -> int:
    result = subprocess.run(
        [sys.executable, "-c", BUILD, str(project), str(output), str(processes)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(json.loads(result.stdout.strip().splitlines()[-1]))


def test_posts_converted_ahead_make_the_same_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    corpus.write_corpus(project / "content", 80)
    assert _build(project, tmp_path / "serial", 1) == 0
    converted_ahead = _build(project, tmp_path / "parallel", 2)
    assert converted_ahead > 0
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
