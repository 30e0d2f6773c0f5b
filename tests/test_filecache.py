"""The content-addressed file cache behind the cards, the minified assets and the feeds."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from condividi.filecache import FileCache, digest, publish_file


def test_digest_delimits_its_parts() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("ab", "c") == digest(b"ab", b"c")
    assert digest() != digest("")


def test_a_file_is_made_once_then_reused(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", ".xml")
    calls: list[str] = []

    def make() -> bytes:
        calls.append("made")
        return b"<feed/>"

    first = cache.get("k1", make)
    again = cache.get("k1", make)
    assert first == again == tmp_path / "cache" / "k1.xml"
    assert first.read_bytes() == b"<feed/>"
    assert calls == ["made"]
    assert (cache.made, cache.reused) == (1, 1)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["k1.xml"]  # no temporary left


def test_cached_files_are_readable_like_any_file_the_build_writes(tmp_path: Path) -> None:
    made = FileCache(tmp_path / "cache", ".png").get("card", lambda: b"png")
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"png")
    assert stat.S_IMODE(made.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert made.stat().st_mode & stat.S_IROTH  # a web server's user can read the output's link
    made.chmod(0o600)  # as older versions left their files
    again = FileCache(tmp_path / "cache", ".png").get("card", lambda: b"never")
    assert stat.S_IMODE(again.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_a_failed_make_leaves_nothing_behind(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", ".xml")

    def broken() -> bytes:
        raise ValueError("bad feed")

    with pytest.raises(ValueError, match="bad feed"):
        cache.get("k1", broken)
    assert not cache.path("k1").exists()
    assert cache.get("k1", lambda: b"ok").read_bytes() == b"ok"


def test_prune_deletes_only_old_files_this_build_did_not_use(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    old = FileCache(folder, ".xml")
    for key in ("used", "stale", "young"):
        old.get(key, lambda: b"x")
    hour_ago = time.time() - 3600
    for key in ("used", "stale"):
        os.utime(folder / f"{key}.xml", (hour_ago, hour_ago))
    (folder / "other.png").write_bytes(b"not ours")
    os.utime(folder / "other.png", (hour_ago, hour_ago))

    build = FileCache(folder, ".xml")
    build.get("used", lambda: b"never called")
    assert build.prune(older_than=600) == 1  # "stale"; "young" may belong to a build running now
    assert sorted(p.name for p in folder.iterdir()) == ["other.png", "used.xml", "young.xml"]
    assert build.prune() == 1
    assert sorted(p.name for p in folder.iterdir()) == ["other.png", "used.xml"]
    assert FileCache(tmp_path / "missing", ".xml").prune() == 0


def test_publishing_links_or_else_copies_and_never_writes_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = FileCache(tmp_path / "cache", ".xml")
    first = cache.get("a", lambda: b"first")
    second = cache.get("b", lambda: b"second")
    output = tmp_path / "out" / "feed.xml"
    output.parent.mkdir()
    publish_file(first, output)
    assert output.stat().st_ino == first.stat().st_ino
    publish_file(second, output)  # replaces the link: the first cached file is untouched
    assert output.read_bytes() == b"second" and first.read_bytes() == b"first"

    def no_links(self: Path, target: Path) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(Path, "hardlink_to", no_links)
    publish_file(first, output)  # a copy, written after unlinking the link to "b"
    assert output.read_bytes() == b"first" and second.read_bytes() == b"second"
    assert output.stat().st_ino not in (first.stat().st_ino, second.stat().st_ino)
