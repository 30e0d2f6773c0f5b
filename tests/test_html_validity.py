"""Every page of the sample site passes the Nu HTML Checker with zero errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.vnu

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def java() -> str:
    found = shutil.which("java")
    if found:
        return found
    pytest.fail("no java on PATH: run scripts/setup-system.sh (make test does)")


def vnu_errors(pages: Sequence[Path | str]) -> list[str]:
    """Return the errors the Nu HTML Checker finds in ``pages``, as ``page:line: message``
    (a page named by its path inside the output folder when it is in one)."""
    assert VNU_JAR.is_file(), "vnu.jar missing: run npm install (make test does)"
    result = subprocess.run(
        [
            java(),
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *map(str, pages),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    return [
        f"{m.get('url', '').split('/output/')[-1]}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]


def test_every_page_is_valid_html(sample_output: Path) -> None:
    pages = sorted(sample_output.rglob("*.html"))
    assert len(pages) > 20
    # The subscribe pages and a list page showing its feed are among them.
    assert {
        "iscriviti/index.html",
        "en/subscribe/index.html",
        "categoria/strategia/index.html",
    } <= {str(page.relative_to(sample_output)) for page in pages}
    errors = vnu_errors(pages)
    assert errors == [], "\n".join(errors)
