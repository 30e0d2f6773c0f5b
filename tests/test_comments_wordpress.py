"""A WordPress export's comments go into Isso, each on the thread of the matching post."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from condividi.build import load_settings
from condividi.comments.wordpress import (
    WxrError,
    import_wxr,
    isso_export,
    match_by_slug,
    plan_threads,
    site_posts,
    site_slugify,
)
from condividi.migrate.wxr import read_export
from tests.comments_support import ARTICLE, OTHER_ARTICLE, IssoServer
from tests.conftest import ROOT, copy_project

NEWSLETTER = f"/{OTHER_ARTICLE}/"
FOLLOWER = f"/{ARTICLE}/"
WP = "http://wordpress.org/export/1.2/"


def comment(
    number: int,
    author: str,
    text: str,
    *,
    parent: int = 0,
    approved: str = "1",
    kind: str = "comment",
    date_gmt: str = "2025-05-02 08:15:00",
) -> str:
    return f"""
    <wp:comment>
      <wp:comment_id>{number}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[{author.lower()}@example.org]]></wp:comment_author_email>
      <wp:comment_author_url></wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[93.45.12.{number}]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[2025-05-02 10:{number:02d}:00]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[{date_gmt}]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{text}]]></wp:comment_content>
      <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
      <wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>"""


def item(title: str, post_name: str, comments: str, post_type: str = "post") -> str:
    return f"""
  <item>
    <title>{title}</title>
    <link>https://giulia.wordpress.com/2025/04/22/{post_name}/</link>
    <wp:post_name><![CDATA[{post_name}]]></wp:post_name>
    <wp:post_type><![CDATA[{post_type}]]></wp:post_type>
    <wp:status><![CDATA[publish]]></wp:status>{comments}
  </item>"""


# A small export as WordPress writes it: a post matched by its slug, one whose slug WordPress
# percent-encoded (matched once decoded and transliterated), a post and a page we do not
# have, an attachment without comments, a pingback, spam, a reply and a pending comment.
ITEMS = [
    item(
        "La newsletter, il canale che nessun algoritmo può toglierti",
        OTHER_ARTICLE,
        comment(7, "Marco", "Finalmente qualcuno lo dice.\nE lo dice bene.")
        + comment(8, "Giulia", "Grazie Marco!", parent=7)
        + comment(9, "Altro blog", "Citato qui", kind="pingback")
        + comment(10, "Casino", "Offerta imperdibile", approved="spam")
        + comment(12, "Curioso", "Bello! <script>alert(1)</script><img src=x onerror=alert(2)>"),
    ),
    item(
        "Perché le aziende dovrebbero smettere di inseguire i follower",
        "perch%c3%a9-le-aziende-dovrebbero-smettere-di-inseguire-i-follower",
        comment(11, "Anna", "Da approvare", approved="0", date_gmt="0000-00-00 00:00:00"),
    ),
    item(
        "Un post che non abbiamo portato", "post-rimasto-su-wordpress", comment(13, "Luca", "Ciao")
    ),
    item("Chi sono", "chi-sono", comment(14, "Sara", "Piacere!"), post_type="page"),
    item("copertina.jpg", "copertina", "", post_type="attachment"),
]
WXR = (
    f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{WP}">
<channel>
  <title>Il blog di Giulia</title>
  <link>https://giulia.wordpress.com</link>
  <wp:wxr_version>1.2</wp:wxr_version>"""
    + "".join(ITEMS)
    + "\n</channel>\n</rss>\n"
)


@pytest.fixture(scope="module")
def settings() -> dict:
    return load_settings(ROOT / "pelicanconf.py")


@pytest.fixture
def wxr(tmp_path: Path) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(WXR, encoding="utf-8")
    return path


def test_site_posts_have_their_thread_ids(settings: dict) -> None:
    threads = {post.slug: post.thread for post in site_posts(settings)}
    assert threads[OTHER_ARTICLE] == NEWSLETTER
    assert threads["why-we-left-the-share-button-scripts-behind"] == (
        "/en/why-we-left-the-share-button-scripts-behind/"
    )
    assert "appunti-sul-marketing-nelle-piccole-citta" in threads  # drafts too


def test_only_approved_comments_go_to_our_thread_ids(settings: dict, wxr: Path) -> None:
    match = match_by_slug(site_posts(settings), site_slugify(settings))
    threads, plan = plan_threads(read_export(wxr), match)
    # The pending comment of the follower post is left out with the pingback and the spam.
    assert plan.threads == {NEWSLETTER: 3}
    assert plan.dropped == 3
    assert plan.unmatched == [
        "Un post che non abbiamo portato "
        "(https://giulia.wordpress.com/2025/04/22/post-rimasto-su-wordpress/)",
        "Chi sono (https://giulia.wordpress.com/2025/04/22/chi-sono/)",
    ]
    (thread,) = threads
    assert [(c.id, c.parent) for c in thread.comments] == [(7, 0), (8, 7), (12, 0)]


def test_isso_reads_a_file_with_our_threads_only(settings: dict, wxr: Path) -> None:
    match = match_by_slug(site_posts(settings), site_slugify(settings))
    threads, _ = plan_threads(read_export(wxr), match)
    root = etree.fromstring(isso_export(threads))
    assert [link.text for link in root.iterfind("channel/item/link")] == [NEWSLETTER]
    ns = {"wp": WP}
    assert root.xpath("//wp:comment_parent/text()", namespaces=ns) == ["0", "7", "0"]
    assert root.xpath("//wp:comment_approved/text()", namespaces=ns) == ["1"] * 3
    dates = root.xpath("//wp:comment_date_gmt/text()", namespaces=ns)
    assert dates == ["2025-05-02 08:15:00"] * 3


def test_a_zero_gmt_date_falls_back_to_the_local_one(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(
        WXR.replace('approved="0", date_gmt="0000-00-00 00:00:00"', "").replace(
            "<![CDATA[2025-05-02 08:15:00]]>", "<![CDATA[0000-00-00 00:00:00]]>"
        ),
        encoding="utf-8",
    )
    item = next(i for i in read_export(export).items if i.post_name == OTHER_ARTICLE)
    thread = plan_threads(read_export(export), lambda i: _post(i, item.id))[0][0]
    root = etree.fromstring(isso_export([thread]))
    dates = root.xpath("//wp:comment_date_gmt/text()", namespaces={"wp": WP})
    assert dates == ["2025-05-02 10:07:00", "2025-05-02 10:08:00", "2025-05-02 10:12:00"]


def _post(item, wanted: int):
    from condividi.comments.wordpress import SitePost

    return SitePost("x", "/x/", "X", "x.md") if item.id == wanted else None


def test_broken_xml_is_named_with_its_line(settings: dict, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(WXR.replace("</channel>", "</canale>"), encoding="utf-8")
    with pytest.raises(WxrError, match=r"broken\.xml:\d+: not well-formed XML"):
        import_wxr(ROOT / "pelicanconf.py", broken)


def test_an_rss_feed_is_not_a_wordpress_export(settings: dict, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text('<rss version="2.0"><channel><title>x</title></channel></rss>')
    with pytest.raises(WxrError, match=r"feed\.xml: not a WordPress export"):
        import_wxr(ROOT / "pelicanconf.py", feed)


def import_command(project: Path, wxr: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "condividi", "comments", "import", str(wxr), *options],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.isso
def test_import_puts_the_comments_on_our_threads_in_isso(tmp_path: Path, wxr: Path) -> None:
    project = copy_project(tmp_path)
    result = import_command(project, wxr)
    assert result.returncode == 0, result.stderr
    assert "3 comments went to 1 posts" in result.stdout
    assert "Un post che non abbiamo portato" in result.stdout
    assert "left out 3 pending, spam or trashed comments" in result.stdout
    database = project / "var" / "comments" / "comments.db"
    with IssoServer(database.parent, ("http://127.0.0.1:8000",)) as isso:
        assert isso.counts(NEWSLETTER, FOLLOWER) == [3, 0]
        thread = isso.thread(NEWSLETTER)
    marco, curious = thread["replies"]
    assert marco["author"] == "Marco"
    assert marco["text"] == "<p>Finalmente qualcuno lo dice.<br>\nE lo dice bene.</p>"
    assert [reply["author"] for reply in marco["replies"]] == ["Giulia"]
    assert "<script" not in curious["text"] and "<img" not in curious["text"]
    assert "&lt;script&gt;" in curious["text"]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone() == (3,)
        assert db.execute("SELECT count(*) FROM comments WHERE mode != 1").fetchone() == (0,)
    again = import_command(project, wxr)
    assert again.returncode == 0, again.stderr
    assert "1 posts already have comments in Isso" in again.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone() == (3,)


@pytest.mark.isso
def test_dry_run_writes_no_comment(tmp_path: Path, wxr: Path) -> None:
    project = copy_project(tmp_path)
    result = import_command(project, wxr, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "3 comments would go to 1 posts" in result.stdout
    database = project / "var" / "comments" / "comments.db"
    if database.exists():
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT count(*) FROM comments").fetchone() == (0,)


def test_a_missing_export_is_a_clear_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = import_command(project, tmp_path / "nowhere.xml")
    assert result.returncode == 1
    assert "nowhere.xml: cannot be read" in result.stderr
