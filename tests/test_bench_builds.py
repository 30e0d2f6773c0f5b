"""The benchmark's build runner: each tool builds a tiny corpus in its own process.

What is measured (time, memory) is recorded but never asserted against a number.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import builds, corpus


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, list[corpus.Post]]:
    folder = tmp_path / "content"
    posts = corpus.write_corpus(folder, 5)
    shutil.copytree(builds.ROOT / "content" / "pages", folder / "pages")
    return folder, posts


def test_both_tools_build_the_corpus_in_a_child_process(
    tmp_path: Path, content: tuple[Path, list[corpus.Post]]
) -> None:
    folder, posts = content
    bench = builds.Bench(folder, tmp_path / "work")
    slugs = [post.slug for post in posts]
    for tool in builds.TOOLS:
        output = tmp_path / f"out-{tool}"
        result = bench.build(tool, "test", output, tmp_path / f"cache-{tool}", caching=True)
        builds.check_output(output, tool, slugs)
        assert result.tool == tool and result.max_rss_mb > 0 and result.cpu_seconds > 0
        assert result.seconds >= result.in_process_seconds > 0
        assert (result.swap_seconds is not None) == (tool == "condividi")
        assert list((tmp_path / f"cache-{tool}" / "pelican").iterdir()), "content cache written"
    pelican_article = (tmp_path / "out-pelican" / f"{slugs[0]}.html").read_text(encoding="utf-8")
    assert "theme/css/main.css" in pelican_article  # notmyidea, the default theme
    assert (tmp_path / "out-pelican" / "feeds" / "all.atom.xml").is_file()
    ours = (tmp_path / "out-condividi" / slugs[0] / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="https://www.example.org/{slugs[0]}/">' in ours
    assert bench.builds[-1].tool == "pelican" and len(bench.builds) == 2


def test_a_failed_build_is_reported_with_its_log(
    tmp_path: Path, content: tuple[Path, list[corpus.Post]]
) -> None:
    folder, posts = content
    broken = posts[0].path
    broken.write_text(broken.read_text(encoding="utf-8").replace("Date: 20", "Date: ieri 20"))
    bench = builds.Bench(folder, tmp_path / "work")
    with pytest.raises(builds.BuildFailed, match=r"(?s)condividi build 'x' failed.*ieri"):
        bench.build("condividi", "x", tmp_path / "out", tmp_path / "cache")


def test_a_missing_article_fails_the_output_check(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "uno").mkdir()
    (tmp_path / "uno" / "index.html").write_text("<html></html>", encoding="utf-8")
    builds.check_output(tmp_path, "condividi", ["uno"])
    with pytest.raises(builds.BuildFailed, match="lacks 1 articles"):
        builds.check_output(tmp_path, "condividi", ["uno", "due"])
    with pytest.raises(builds.BuildFailed):
        builds.check_output(tmp_path, "pelican", ["uno"])


def test_editing_a_post_changes_text_and_time_and_returns_the_original(tmp_path: Path) -> None:
    post = corpus.write_corpus(tmp_path, 1)[0].path
    before_text, before_time = post.read_text(encoding="utf-8"), post.stat().st_mtime_ns
    assert builds.edit_post(post) == before_text
    assert post.read_text(encoding="utf-8").startswith(before_text)
    assert post.read_text(encoding="utf-8") != before_text
    assert post.stat().st_mtime_ns > before_time
