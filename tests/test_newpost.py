"""``make newpost``: a dated draft with a transliterated slug, never overwriting."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from condividi.newpost import create_post, post_slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Perché scrivere ancora?", "perche-scrivere-ancora"),
        ("Città, attività e più", "citta-attivita-e-piu"),
        ("  Spazi   multipli  ", "spazi-multipli"),
        ("L'età dell'oro: 2026!", "leta-delloro-2026"),
    ],
)
def test_slug_transliterates(title: str, slug: str) -> None:
    assert post_slug(title) == slug


def test_create_post_writes_front_matter(tmp_path: Path) -> None:
    path = create_post("Perché sì", tmp_path, datetime(2026, 11, 26, 9, 30))
    assert path == tmp_path / "articles" / "2026-11-26-perche-si.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("Title: Perché sì\nDate: 2026-11-26 09:30\nSlug: perche-si\n")
    assert "Status: draft" in text


def test_create_post_refuses_to_overwrite(tmp_path: Path) -> None:
    when = datetime(2026, 11, 26, 9, 30)
    path = create_post("Uno", tmp_path, when)
    path.write_text("il mio testo", encoding="utf-8")
    with pytest.raises(FileExistsError):
        create_post("Uno", tmp_path, when)
    assert path.read_text(encoding="utf-8") == "il mio testo"


def test_create_post_rejects_title_without_letters(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="TITLE"):
        create_post("!!!", tmp_path)


def test_command_line_refuses_to_overwrite(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "condividi", "newpost", "Ciao mondo", "--content", "c"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert second.returncode == 1
    assert "already exists" in second.stderr
