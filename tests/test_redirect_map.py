"""The redirect map: its lines, its checks and merging new redirects without touching old ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from condividi.migrate.redirect_map import (
    HEADER,
    MapEntry,
    Redirect,
    RedirectError,
    make_redirect,
    merge_redirects,
    normalize_path,
    parse_entries,
    parse_redirects,
    read_entries,
    read_redirects,
)


def test_lines_comments_and_default_status() -> None:
    text = "# a comment\n\n/2013/05/post/  /post/\n/?p=12 /post/ 302\n/feed/ https://x.org/a.xml\n"
    assert parse_redirects(text) == [
        Redirect("/2013/05/post/", "/post/"),
        Redirect("/?p=12", "/post/", 302),
        Redirect("/feed/", "https://x.org/a.xml"),
    ]
    assert Redirect("/?p=12", "/post/", 302).query == "p=12"


@pytest.mark.parametrize(
    ("path", "normal"),
    [("/perch%c3%a9/", "/perch%C3%A9/"), ("/perché/", "/perch%C3%A9/"), ("/?p=1&x=2", "/?p=1&x=2")],
)
def test_one_spelling_per_path(path: str, normal: str) -> None:
    assert normalize_path(path) == normal


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("post/ /post/", "must start with '/'"),
        ("/a/ ftp://x/", "neither a path"),
        ("/a/ /b/ 200", "status 200"),
        ("/a/ /b/ x", "not a number"),
        ("/a/ /a/", "leads to itself"),
        ("/a/", "expected 'OLD NEW [STATUS]'"),
    ],
)
def test_a_bad_line_is_named_with_file_and_number(line: str, problem: str) -> None:
    with pytest.raises(RedirectError, match=rf"^map\.txt:2: .*{re.escape(problem)}"):
        parse_redirects(f"# ok\n{line}\n", "map.txt")


def test_one_old_path_with_two_targets_names_both_lines() -> None:
    with pytest.raises(RedirectError, match=r"map.txt:3: /a/ already leads to /b/ \(line 1\)"):
        parse_redirects("/a/ /b/\n/a/ /b/\n/a/ /c/\n", "map.txt")


def test_make_redirect_checks_the_status() -> None:
    with pytest.raises(ValueError, match="status 404"):
        make_redirect("/a/", "/b/", 404)


def test_a_missing_map_is_empty_and_non_utf8_is_named(tmp_path: Path) -> None:
    assert read_redirects(tmp_path / "none.txt") == []
    broken = tmp_path / "redirects.txt"
    broken.write_bytes(b"/a/ /\xe8/\n")
    with pytest.raises(RedirectError, match=r"redirects\.txt: not UTF-8"):
        read_redirects(broken)


def test_merge_keeps_hand_edits_and_reports_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "redirects.txt"
    path.write_text("# mine\n/old/ /by-hand/\n", encoding="utf-8")
    report = merge_redirects(
        path,
        [make_redirect("/old/", "/imported/"), make_redirect("/?p=1", "/post/")],
        comment="imported from WordPress",
    )
    assert report.added == [Redirect("/?p=1", "/post/")]
    assert report.conflicts == [(Redirect("/old/", "/by-hand/"), Redirect("/old/", "/imported/"))]
    assert path.read_text(encoding="utf-8") == (
        "# mine\n/old/ /by-hand/\n\n# imported from WordPress\n/?p=1   /post/\n"
    )
    again = merge_redirects(path, [make_redirect("/?p=1", "/post/")])
    assert (again.added, again.unchanged) == ([], [Redirect("/?p=1", "/post/")])
    assert read_redirects(path) == [Redirect("/old/", "/by-hand/"), Redirect("/?p=1", "/post/")]


def test_a_new_map_starts_with_its_header_and_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "content" / "redirects.txt"
    redirect = make_redirect("/feed/", "/feeds/atom.xml", 308)
    assert merge_redirects(path, [redirect], write=False).added == [redirect]
    assert not path.exists()
    merge_redirects(path, [redirect])
    assert path.read_text(encoding="utf-8") == f"{HEADER}/feed/   /feeds/atom.xml   308\n"


def test_entries_keep_the_line_of_each_redirect(tmp_path: Path) -> None:
    text = "# map\n\n/a/ /b/\n/a/ /b/\n/c/ /d/ 302\n"
    assert parse_entries(text, "content/redirects.txt") == [
        MapEntry(Redirect("/a/", "/b/"), "content/redirects.txt", 3),
        MapEntry(Redirect("/c/", "/d/", 302), "content/redirects.txt", 5),
    ]
    assert parse_entries(text)[1].where == "redirects.txt:5"
    path = tmp_path / "redirects.txt"
    path.write_text("/a/ b/\n", encoding="utf-8")
    with pytest.raises(RedirectError, match=r"^content/redirects\.txt:1: 'b/' is neither"):
        read_entries(path, "content/redirects.txt")
