"""The preview's in-memory reader cache: what a reader made of a file, while it is unchanged."""

from __future__ import annotations

import os
from pathlib import Path

from condividi.preview.readcache import ReadCache


def test_a_file_is_served_from_the_cache_until_it_changes(tmp_path: Path) -> None:
    post = tmp_path / "saggio.md"
    post.write_text("Title: Saggio\n\nCiao.\n", encoding="utf-8")
    cache = ReadCache()
    assert cache.get(str(post)) is None
    cache.put(str(post), ("<p>Ciao.</p>", {"title": "Saggio", "tags": ["a", "b"]}))
    assert cache.get(str(post)) == ("<p>Ciao.</p>", {"title": "Saggio", "tags": ["a", "b"]})

    post.write_text("Title: Saggio\n\nCiao, di nuovo.\n", encoding="utf-8")
    assert cache.get(str(post), "changed") == "changed"


def test_a_file_saved_with_the_same_size_and_time_is_read_again_once_forgotten(
    tmp_path: Path,
) -> None:
    post = tmp_path / "saggio.md"
    post.write_text("Title: Uno\n", encoding="utf-8")
    cache = ReadCache()
    cache.put(str(post), ("", {"title": "Uno"}))
    stamp = post.stat()
    post.write_text("Title: Due\n", encoding="utf-8")
    os.utime(post, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert cache.get(str(post)) == ("", {"title": "Uno"})  # the stamp cannot tell
    cache.forget(str(post))  # the watcher saw the save
    assert cache.get(str(post)) is None


def test_each_build_gets_its_own_metadata_and_lists(tmp_path: Path) -> None:
    post = tmp_path / "saggio.md"
    post.write_text("x", encoding="utf-8")
    cache = ReadCache()
    cache.put(str(post), ("", {"tags": ["a"]}))
    _, metadata = cache.get(str(post))
    metadata["tags"].append("b")
    metadata["title"] = "cambiato"
    assert cache.get(str(post)) == ("", {"tags": ["a"]})


def test_a_deleted_file_is_not_served_and_forget_all_empties_the_cache(tmp_path: Path) -> None:
    first, second = tmp_path / "uno.md", tmp_path / "due.md"
    cache = ReadCache()
    for path in (first, second):
        path.write_text("x", encoding="utf-8")
        cache.put(str(path), ("", {}))
    first.unlink()
    assert cache.get(str(first)) is None
    cache.forget()
    assert len(cache) == 0 and cache.get(str(second)) is None
