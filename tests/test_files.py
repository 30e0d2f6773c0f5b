"""Atomic writes: the new content or the old one, never half, with the usual file mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from condividi import files
from condividi.files import file_mode, write_atomically


def test_text_and_bytes_reach_the_file_with_the_usual_mode(tmp_path: Path) -> None:
    text_file = tmp_path / "deep" / "folder" / "post.md"
    write_atomically(text_file, "Perché ✓\n")
    assert text_file.read_text(encoding="utf-8") == "Perché ✓\n"
    assert stat.S_IMODE(text_file.stat().st_mode) == file_mode()
    write_atomically(text_file, b"\x00bytes", durable=False)
    assert text_file.read_bytes() == b"\x00bytes"
    assert sorted(p.name for p in text_file.parent.iterdir()) == ["post.md"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ledger.json"
    write_atomically(target, "old")

    def broken_replace(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["ledger.json"]
