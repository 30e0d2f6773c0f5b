"""The old WordPress addresses of an import, and where each leads on the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from condividi.build import load_settings
from condividi.migrate.cli import format_report
from condividi.migrate.permalinks import (
    Imported,
    old_path,
    old_slug_links,
    site_path,
    wordpress_redirects,
)
from condividi.migrate.redirect_map import read_redirects, redirects_file
from condividi.migrate.wordpress import Options, import_wordpress, plan_import
from condividi.migrate.wxr import read_export
from tests.conftest import ROOT, copy_project

DATA = Path(__file__).parent / "data" / "wordpress"
WXR = DATA / "blog-1.2.xml"
OPTIONS = Options(uploads=DATA / "uploads", comments=False, dry_run=True)


@pytest.fixture(scope="module")
def redirects() -> dict[str, str]:
    report = plan_import(ROOT / "pelicanconf.py", WXR, OPTIONS)
    return {redirect.source: redirect.target for redirect in report.redirects}


def test_posts_and_pages_old_addresses(redirects: dict[str, str]) -> None:
    assert redirects["/2024/03/benvenuti/"] == "/benvenuti/"
    assert redirects["/?p=101"] == "/benvenuti/"
    assert redirects["/2024/03/a-video-in-english/"] == "/en/a-video-in-english/"
    assert redirects["/2024/03/%D7%A9%D7%9C%D7%95%D7%9D-%D7%A2%D7%95%D7%9C%D7%9D/"] == (
        "/shlvm-vlm/"
    )
    assert redirects["/?page_id=301"] == "/contatti/"
    assert redirects["/contatti/dove-trovarmi/"] == "/dove-trovarmi/"
    assert "/contatti/" not in redirects  # the same address here: no redirect
    assert all(source != target for source, target in redirects.items())


def test_drafts_and_trash_leave_no_redirect(redirects: dict[str, str]) -> None:
    for draft in ("/?p=103", "/?p=104", "/2024/03/solo-per-me/", "/?p=106", "/?p=110"):
        assert draft not in redirects


def test_categories_tags_and_feeds(redirects: dict[str, str]) -> None:
    assert redirects["/category/marketing-social/"] == "/categoria/marketing-social/"
    assert redirects["/category/marketing-social/dati/"] == "/categoria/dati/"
    assert redirects["/category/dati/"] == "/categoria/dati/"
    assert redirects["/category/dati/feed/"] == "/feeds/categoria/dati.atom.xml"
    # Newsletter is the first category of one post: it stays a category here.
    assert redirects["/category/newsletter/"] == "/categoria/newsletter/"
    assert "/tag/follower/" not in redirects  # the same address here
    assert redirects["/tag/follower/feed/"] == "/feeds/tag/follower.atom.xml"
    assert redirects["/feed/"] == redirects["/comments/feed/"] == "/feeds/atom.xml"
    assert redirects["/feed/rss2/"] == "/feeds/rss.xml"


def test_copied_uploads_keep_their_old_address(redirects: dict[str, str]) -> None:
    assert redirects["/wp-content/uploads/2024/03/foto.jpg"] == "/images/2024/03/foto.jpg"
    assert "/wp-content/uploads/2024/03/clip.mp4" not in redirects  # missing, not copied


def test_a_site_below_a_path_and_other_hosts() -> None:
    settings = {"SITEURL": "https://example.org/blog/"}
    assert site_path(settings, "il-post/") == "/blog/il-post/"
    assert old_path("https://old.example.org/a/?p=1", "old.example.org") == "/a/?p=1"
    assert old_path("https://elsewhere.org/a/", "old.example.org") is None
    export = read_export(WXR)
    post = export.by_id[101]
    found = wordpress_redirects(
        export, [Imported(post, "benvenuti/")], [], {**settings, "PLUGINS": []}
    )
    assert {r.source: r.target for r in found} == {
        "/2024/03/benvenuti/": "/blog/benvenuti/",
        "/?p=101": "/blog/benvenuti/",
    }


def test_the_map_file_and_conflicts_with_lines_by_hand(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    settings = load_settings(project / "pelicanconf.py")
    path = redirects_file(settings)
    assert path == project / "content" / "redirects.txt"
    path.write_text("/feed/   /newsletter/\n", encoding="utf-8")
    report = import_wordpress(
        project / "pelicanconf.py", WXR, Options(uploads=DATA / "uploads", comments=False)
    )
    ((kept, new),) = report.merged.conflicts
    assert (kept.target, new.target) == ("/newsletter/", "/feeds/atom.xml")
    lines = {redirect.source: redirect.target for redirect in read_redirects(path)}
    assert lines["/feed/"] == "/newsletter/" and lines["/?p=101"] == "/benvenuti/"
    assert "# imported from WordPress blog-1.2.xml on " in path.read_text(encoding="utf-8")
    assert "CONFLICT /feed/: the map sends it to /newsletter/ (kept)" in format_report(report)


def test_old_slugs_give_the_earlier_permalinks() -> None:
    item = read_export(WXR).by_id[101]  # /2024/03/benvenuti/
    meta = (("_wp_old_slug", "primo-post"), ("_edit_last", "1"), ("_wp_old_slug", "ciao"))
    renamed = type(item)(**{**item.__dict__, "postmeta": meta})
    assert old_slug_links(renamed) == [
        "https://giulia.example.org/2024/03/primo-post/",
        "https://giulia.example.org/2024/03/ciao/",
    ]
    # The current slug, a path, or a permalink without the slug give nothing.
    odd = (("_wp_old_slug", "benvenuti"), ("_wp_old_slug", "a/b"), ("_wp_old_slug", ""))
    assert old_slug_links(type(item)(**{**item.__dict__, "postmeta": odd})) == []
    query = type(item)(**{**item.__dict__, "link": "https://giulia.example.org/?p=101"})
    assert old_slug_links(type(query)(**{**query.__dict__, "postmeta": meta})) == []
