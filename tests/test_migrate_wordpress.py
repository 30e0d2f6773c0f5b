"""Importing a WordPress export: files Pelican reads back, statuses, dates, slugs, safety."""

from __future__ import annotations

import html
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pelican.contents import Article, Page
from pelican.readers import Readers

from condividi.build import load_settings
from condividi.migrate.cli import format_report
from condividi.migrate.wordpress import (
    EXISTS,
    NEW,
    REPLACED,
    UNCHANGED,
    ImportReport,
    Options,
    front_matter,
    import_wordpress,
    is_default_category,
    item_slug,
    local_date,
)
from condividi.migrate.wxr import read_export
from tests.conftest import copy_project
from tests.real_exports_support import corpus

DATA = Path(__file__).parent / "data" / "wordpress"
WXR = DATA / "blog-1.2.xml"
UPLOADS = DATA / "uploads"
ROME = ZoneInfo("Europe/Rome")
NO_COMMENTS = Options(uploads=UPLOADS, comments=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def run_import(project: Path, options: Options = NO_COMMENTS, wxr: Path = WXR) -> ImportReport:
    return import_wordpress(project / "pelicanconf.py", wxr, options)


def by_id(report: ImportReport) -> dict:
    return {entry.item.id: entry for entry in report.files}


def read_back(project: Path, path: Path):  # type: ignore[no-untyped-def]
    settings = load_settings(project / "pelicanconf.py")
    content_class = Article if "articles" in path.parts else Page
    base = project / "content"
    return Readers(settings).read_file(
        base_path=str(base), path=str(path.relative_to(base)), content_class=content_class
    )


def test_posts_and_pages_become_files_pelican_reads_back(project: Path) -> None:
    report = run_import(project)
    entries = by_id(report)
    assert sorted(entries) == [101, 102, 103, 104, 105, 107, 108, 109, 110, 111, 112, 301, 302]
    assert all(entry.state == NEW and entry.path.is_file() for entry in report.files)
    post = read_back(project, entries[101].path)
    assert entries[101].path.name == "2024-03-10-benvenuti.md"
    assert post.title == "Benvenuti nel nuovo blog"
    assert post.date == datetime(2024, 3, 10, 10, 0, tzinfo=ROME)
    assert post.slug == "benvenuti" and post.lang == "it" and post.status == "published"
    assert str(post.category) == "Marketing & social"
    assert [str(tag) for tag in post.tags] == ["Newsletter", "follower", "LinkedIn"]
    assert (
        post.metadata["summary"]
        == "<p>Il primo post: foto, video &amp; <em>tutto</em> il resto.</p>"
    )
    assert post.modified == datetime(2024, 3, 15, 18, 30, tzinfo=ROME)
    assert post.metadata["image"] == "{static}/images/2024/03/foto.jpg"
    assert post.metadata["feedid"] == "https://giulia.example.org/?p=101"  # the WordPress guid
    page = read_back(project, entries[302].path)
    assert entries[302].path.name == "dove-trovarmi.md" and page.title == "Dove trovarmi"


def test_hostile_titles_and_summaries_round_trip(project: Path) -> None:
    entries = by_id(run_import(project))
    hostile = read_back(project, entries[107].path)
    expected = "Titolo con a capo, Title: finto, & entità “citate” e tag 🎉"
    assert html.unescape(hostile.title) == expected
    assert hostile.slug == "titolo-ostile"
    assert html.unescape(hostile.metadata["summary"]) == (
        '<p>Riassunto su più righe: con due punti, "virgolette" & emoji 🎉</p>'
    )
    assert "Status: published" in hostile.content  # body text, not front matter
    rtl = read_back(project, entries[108].path)
    assert rtl.title == "שלום עולם — مرحبا بالعالم" and rtl.slug == "shlvm-vlm"
    assert "slug 'שלום-עולם' became 'shlvm-vlm'" in entries[108].notes
    assert 'dir="rtl"' in rtl.content
    long_title = read_back(project, entries[111].path)
    assert len(long_title.slug) <= 150 and long_title.title.endswith("indirizzo web")


def test_statuses_become_drafts_or_are_skipped(project: Path) -> None:
    report = run_import(project)
    entries = by_id(report)
    statuses = {item_id: entry.status for item_id, entry in entries.items()}
    assert statuses[101] == statuses[302] == "published"
    assert statuses[103] == statuses[104] == statuses[105] == "draft"
    assert "private on WordPress: imported as a draft" in entries[105].notes
    assert [(skip.item.split(" (")[0], skip.reason, skip.error) for skip in report.skipped] == [
        ("post 106 'Un post cestinato'", "in the trash", False)
    ]
    assert report.other_types == {"nav_menu_item": 1}
    assert read_back(project, entries[104].path).status == "draft"


def test_a_draft_without_a_slug_and_a_post_without_title(project: Path) -> None:
    entries = by_id(run_import(project))
    assert entries[103].slug == "bozza-idee-sparse"
    assert entries[103].path.name == "2024-03-20-bozza-idee-sparse.md"  # local date, GMT zero
    untitled = read_back(project, entries[109].path)
    assert untitled.title.startswith("Un pensiero veloce, pubblicato")
    assert any(note.startswith("no title: titled") for note in entries[109].notes)


def test_a_post_without_any_date_is_a_dated_draft(project: Path) -> None:
    entry = by_id(run_import(project))[110]
    assert entry.status == "draft"
    assert "no usable date (0000-00-00): imported as a draft" in entry.notes
    assert read_back(project, entry.path).date == datetime(2024, 2, 2, 10, 0, tzinfo=ROME)


def test_a_post_in_another_language(project: Path) -> None:
    entry = by_id(run_import(project))[112]
    assert entry.lang == "en" and entry.url == "en/a-video-in-english/"
    assert entry.path.name == "2024-03-27-a-video-in-english-en.md"


def test_links_between_posts_and_media_point_at_the_new_files(project: Path) -> None:
    report = run_import(project)
    text = by_id(report)[101].path.read_text(encoding="utf-8")
    assert "({filename}/articles/2024-03-12-dati-non-vanita.md#commenti)" in text
    assert 'src="{static}/images/2024/03/foto.jpg"' in text
    assert (project / "content/images/2024/03/foto.jpg").read_bytes() == (
        UPLOADS / "2024/03/foto.jpg"
    ).read_bytes()
    missing = (project / "wordpress-missing-media.txt").read_text().split()
    assert missing == [
        "https://giulia.example.org/wp-content/uploads/2024/03/intervista.mp3",
        "https://giulia.example.org/wp-content/uploads/2024/03/clip.mp4",
    ]


def test_without_uploads_media_keep_their_addresses(project: Path) -> None:
    report = run_import(project, Options(comments=False))
    assert not report.media.copies and len(report.media.missing) == 5  # foto-300x200 too
    text = by_id(report)[102].path.read_text(encoding="utf-8")
    assert "https://giulia.example.org/wp-content/uploads/2024/03/grafico.png" in text
    assert not (project / "content/images/2024").exists()


def test_a_second_run_changes_nothing(project: Path) -> None:
    run_import(project)
    redirects = (project / "content/redirects.txt").read_text()
    again = run_import(project)
    assert {entry.state for entry in again.files} == {UNCHANGED}
    assert not again.merged.added and len(again.merged.unchanged) == len(again.redirects)
    assert (project / "content/redirects.txt").read_text() == redirects
    assert not again.failed
    assert "posts: 0 imported, 11 unchanged, 0 replaced" in format_report(again)


def test_an_edited_file_is_kept_unless_forced(project: Path) -> None:
    first = by_id(run_import(project))[101].path
    first.write_text(first.read_text() + "\nUna mia aggiunta.\n")
    again = run_import(project)
    assert by_id(again)[101].state == EXISTS and again.failed
    assert "Una mia aggiunta." in first.read_text()
    assert "Not overwritten" in format_report(again)
    forced = run_import(project, Options(uploads=UPLOADS, comments=False, force=True))
    assert by_id(forced)[101].state == REPLACED
    assert "Una mia aggiunta." not in first.read_text()


def test_an_address_taken_by_another_file_is_skipped(project: Path) -> None:
    (project / "content/pages/contatti-vecchi.md").write_text(
        "Title: Contatti\nSlug: contatti\n\nI miei contatti.\n", encoding="utf-8"
    )
    report = run_import(project)
    assert 301 not in by_id(report)
    (skip,) = [skip for skip in report.skipped if skip.error]
    assert "its address /contatti/ is taken by content/pages/contatti-vecchi.md" in skip.reason
    assert not (project / "content/pages/contatti.md").exists()
    assert report.failed


def test_a_dry_run_writes_nothing(project: Path) -> None:
    before = sorted(str(path) for path in project.rglob("*"))
    report = run_import(project, Options(uploads=UPLOADS, dry_run=True))
    assert sorted(str(path) for path in project.rglob("*")) == before
    assert report.count(NEW) == 13 and report.merged.added
    assert report.comments is not None and report.comments.comments == 5  # 1 on a page
    assert "(dry run: nothing was written)" in format_report(report)


def test_invalid_xml_writes_nothing(project: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(WXR.read_text(encoding="utf-8").replace("</channel>", ""))
    before = sorted(str(path) for path in project.rglob("*"))
    result = subprocess.run(
        [sys.executable, "-m", "condividi", "import", "wordpress", str(broken)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "broken.xml:" in result.stderr and "not well-formed XML" in result.stderr
    assert "nothing was imported" in result.stderr
    assert sorted(str(path) for path in project.rglob("*")) == before


def test_a_11_export_imports(project: Path) -> None:
    report = run_import(project, wxr=DATA / "blog-1.1.xml")
    entries = by_id(report)
    post = read_back(project, entries[7].path)
    assert post.date == datetime(2011, 5, 4, 10, 15, tzinfo=ROME)
    # WordPress's default category is left out: the post gets the site's own default.
    assert str(post.category) == load_settings(project / "pelicanconf.py")["DEFAULT_CATEGORY"]
    assert "WordPress's default category left out: Senza categoria" in entries[7].notes
    text = entries[7].path.read_text(encoding="utf-8")
    assert "<figcaption>Una didascalia nell'attributo</figcaption>" in text
    page = entries[2].path.read_text(encoding="utf-8")
    assert "[il primo post]({filename}/articles/2011-05-04-il-primo-post.md)" in page
    sources = {redirect.source: redirect.target for redirect in report.redirects}
    assert sources["/blog/2011/05/il-primo-post/"] == "/il-primo-post/"
    assert sources["/blog/?p=7"] == "/il-primo-post/"
    assert sources["/blog/chi-scrive/"] == "/chi-scrive/"
    assert "/blog/category/senza-categoria/" not in sources


def test_the_command_line_exit_codes(project: Path) -> None:
    command = [sys.executable, "-m", "condividi", "import", "wordpress", str(WXR)]
    ok = subprocess.run(
        [*command, "--uploads", str(UPLOADS), "--no-comments"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "posts: 11 imported, 0 unchanged, 0 replaced (5 as drafts)" in ok.stdout
    assert "Shortcodes left as text (edit them by hand): [contact-form-7] x1" in ok.stdout
    assert "\x1b[" not in ok.stdout + ok.stderr  # no progress bar off a terminal
    usage = subprocess.run(
        [*command[:-1]], cwd=project, capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    nowhere = subprocess.run(
        [*command, "--uploads", str(project / "nowhere")],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert nowhere.returncode == 1 and "no such folder" in nowhere.stderr


@pytest.mark.parametrize(
    ("post_name", "title", "slug"),
    [
        ("benvenuti", "Ignorato", "benvenuti"),
        ("perch%c3%a9-no", "x", "perche-no"),
        ("", "Perché sì: una bozza", "perche-si-una-bozza"),
        ("", "🎉🎉", "post-9"),
        ("a" * 40 + "-" + "b" * 200, "x", "a" * 40),
    ],
)
def test_slugs(post_name: str, title: str, slug: str) -> None:
    item = read_export(WXR).by_id[101]
    item = type(item)(**{**item.__dict__, "post_name": post_name, "id": 9})
    assert item_slug(item, title)[0] == slug


def test_dates_in_the_sites_time_zone() -> None:
    summer = local_date(datetime(2024, 7, 1, 8, 0), datetime(2024, 7, 1, 3, 0), ROME)
    assert summer == datetime(2024, 7, 1, 10, 0, tzinfo=ROME)  # GMT wins over local
    assert local_date(None, datetime(2024, 1, 1, 9, 0), ROME) == datetime(
        2024, 1, 1, 9, 0, tzinfo=ROME
    )
    assert local_date(None, None, ROME) is None


def test_front_matter_is_one_line_per_key() -> None:
    assert front_matter([("Title", "A\nB  C"), ("Tags", ""), ("Lang", "it")]) == (
        "Title: A B C\nLang: it\n\n"
    )


def test_category_and_tag_names_are_stripped_of_markup(project: Path, tmp_path: Path) -> None:
    text = WXR.read_text(encoding="utf-8")
    hostile = {
        "<![CDATA[Marketing &amp; social]]>": (
            "<![CDATA[&lt;script&gt;alert(1)&lt;/script&gt;Marketing &lt;b&gt;social&lt;/b&gt;]]>"
        ),
        "<![CDATA[LinkedIn]]>": "<![CDATA[<img src=x onerror=alert(2)>LinkedIn]]>",
    }
    for old, new in hostile.items():
        assert old in text
        text = text.replace(old, new)
    wxr = tmp_path / "hostile.xml"
    wxr.write_text(text, encoding="utf-8")
    entry = by_id(run_import(project, wxr=wxr))[101]
    front = entry.path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    terms = [line for line in front.splitlines() if line.startswith(("Category:", "Tags:"))]
    assert terms == ["Category: Marketing social", "Tags: Newsletter, follower, LinkedIn"]
    post = read_back(project, entry.path)
    assert str(post.category) == "Marketing social"
    assert [str(tag) for tag in post.tags] == ["Newsletter", "follower", "LinkedIn"]


def test_a_link_out_of_the_uploads_folder_is_reported_not_copied(
    project: Path, tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "2024/03").mkdir(parents=True)
    (uploads / "2024/03/foto.jpg").write_bytes((UPLOADS / "2024/03/foto.jpg").read_bytes())
    secret = tmp_path / "hostname"
    secret.write_text("segreto\n")
    (uploads / "2024/03/grafico.png").symlink_to(secret)
    report = run_import(project, Options(uploads=uploads, comments=False))
    assert not (project / "content/images/2024/03/grafico.png").exists()
    assert (project / "content/images/2024/03/foto.jpg").is_file()
    text = format_report(report)
    assert "grafico.png is a link out of the uploads folder: not copied" in text
    assert "Media: 1 copied" in text and "3 missing" in text
    listed = (project / "wordpress-missing-media.txt").read_text().split()
    assert not any("grafico" in url for url in listed)
    assert not any(
        "segreto" in path.read_text(errors="replace")
        for path in (project / "content").rglob("*")
        if path.is_file()
    )


def test_an_unexpanded_entity_stays_text_and_is_reported(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "hostname"
    secret.write_text("segreto")
    text = WXR.read_text(encoding="utf-8").replace(
        "<rss ", f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<rss ', 1
    )
    text = text.replace("Benvenuti nel nuovo blog", "XXE &xxe; titolo", 1)
    evil = tmp_path / "xxe.xml"
    evil.write_text(text, encoding="utf-8")
    report = run_import(project, wxr=evil)
    entry = by_id(report)[101]
    assert read_back(project, entry.path).title == "XXE &amp;xxe; titolo"
    assert "segreto" not in entry.path.read_text(encoding="utf-8")
    assert "&xxe; kept as text" in format_report(report)


HELD_BACK = DATA / "held-back.xml"


@pytest.fixture
def held_back(project: Path) -> ImportReport:
    return run_import(project, Options(uploads=UPLOADS), wxr=HELD_BACK)


def test_a_scheduled_post_and_its_own_category_wait(held_back: ImportReport) -> None:
    scheduled = by_id(held_back)[502]
    assert scheduled.status == "published" and scheduled.url == "in-arrivo/"  # not drafts/
    assert any(note.startswith("scheduled for 2099-01-01 10:00") for note in scheduled.notes)
    waiting = {redirect.source: (redirect.target, why) for redirect, why in held_back.waiting}
    assert waiting == {
        "/?p=502": ("/in-arrivo/", "a post scheduled for 2099-01-01"),
        "/category/prossimamente/": (
            "/categoria/prossimamente/",
            "the category 'Prossimamente', of scheduled posts only",
        ),
        "/category/prossimamente/feed/": (
            "/feeds/categoria/prossimamente.atom.xml",
            "the category 'Prossimamente', of scheduled posts only",
        ),
        "/tag/anteprima/feed/": (
            "/feeds/tag/anteprima.atom.xml",
            "the tag 'anteprima', of scheduled posts only",
        ),
    }
    # Viaggi also has a post published now: its redirect does not wait.
    assert "/category/viaggi/" in {redirect.source for redirect in held_back.redirects}
    text = format_report(held_back)
    assert "Waiting (each build leaves them out until their target is published):" in text
    assert "/?p=502 -> /in-arrivo/: a post scheduled for 2099-01-01" in text


def test_a_password_protected_post_is_a_draft_and_its_comments_stay_out(
    project: Path, held_back: ImportReport
) -> None:
    protected = by_id(held_back)[503]
    assert protected.status == "draft"
    assert read_back(project, protected.path).status == "draft"
    assert any(note.startswith("password-protected on WordPress") for note in protected.notes)
    sources = {redirect.source for redirect in held_back.redirects}
    assert "/?p=503" not in sources and "/2020/02/solo-per-gli-amici/" not in sources
    assert held_back.comment_targets is not None and 503 not in held_back.comment_targets
    plan = held_back.comments
    assert plan is not None and "/solo-per-gli-amici/" not in plan.threads
    assert plan.held == [
        "Solo per gli amici (https://anna.example.org/2020/02/solo-per-gli-amici/): "
        "1 comment, held back: the post is password-protected on WordPress"
    ]
    assert "held back (never published with their post):" in format_report(held_back)


def test_every_earlier_slug_of_a_renamed_post_redirects(held_back: ImportReport) -> None:
    sources = {redirect.source: redirect.target for redirect in held_back.redirects}
    assert sources["/2020/01/nuovo-nome/"] == "/nuovo-nome/"
    assert sources["/2020/01/nome-originale/"] == "/nuovo-nome/"
    assert sources["/2020/01/secondo-nome/"] == "/nuovo-nome/"


def test_wordpress_default_category_is_dropped(project: Path, held_back: ImportReport) -> None:
    entries = by_id(held_back)
    renamed = read_back(project, entries[501].path)
    assert str(renamed.category) == "Viaggi"
    assert [str(tag) for tag in renamed.tags] == ["treni"]  # no "Uncategorized" tag
    assert "WordPress's default category left out: Senza categoria, Uncategorized" in (
        entries[501].notes
    )
    plain = read_back(project, entries[504].path)
    settings = load_settings(project / "pelicanconf.py")
    assert str(plain.category) == settings["DEFAULT_CATEGORY"]  # not its folder, "articles"
    assert [str(tag) for tag in plain.tags] == ["Allgemein"]  # a tag the author chose stays
    sources = {redirect.source for redirect in held_back.redirects}
    for nicename in ("senza-categoria", "uncategorized", "sin-categoria", "non-classe"):
        assert f"/category/{nicename}/" not in sources


@pytest.mark.parametrize(
    ("nicename", "name", "expected"),
    [
        ("uncategorized", "Uncategorized", True),
        ("senza-categoria", "Senza categoria", True),
        ("non-classe", "Non classé", True),
        ("sin-categoria", "Sin categoría", True),
        ("allgemein", "Allgemein", True),
        ("sem-categoria", "Sem categoria", True),
        ("uncategorized", "Varie", True),  # renamed, same slug
        ("1", "未分類", True),
        ("viaggi", "Viaggi", False),
        ("categoria-senza-nome", "Una categoria", False),
    ],
)
def test_default_category_names(nicename: str, name: str, expected: bool) -> None:
    assert is_default_category(nicename, name) is expected


def test_a_page_with_comments_says_so_and_gets_them(held_back: ImportReport) -> None:
    entries = by_id(held_back)
    assert "\nComments: on\n" in entries[601].path.read_text(encoding="utf-8")
    assert "Comments:" not in entries[602].path.read_text(encoding="utf-8")
    assert held_back.comment_targets is not None
    guests = held_back.comment_targets[601]
    assert (guests.thread, guests.kind) == ("/ospiti/", "page")
    assert 602 not in held_back.comment_targets
    assert held_back.comments is not None and held_back.comments.threads["/ospiti/"] == 2


@pytest.mark.parametrize("name", ["armstrong-simple", "nikola-wordpress_unicode_export"])
def test_uncategorized_of_real_exports_is_dropped(project: Path, name: str) -> None:
    (export,) = [export for export in corpus() if export.name == name]
    text = export.path.read_text(encoding="utf-8")
    assert 'nicename="uncategorized"><![CDATA[Uncategorized]]>' in text  # filed there
    report = run_import(project, Options(comments=False), wxr=export.path)
    noted = [entry for entry in report.files if entry.kind == "article"]
    assert any("default category left out: Uncategorized" in " ".join(e.notes) for e in noted)
    for entry in noted:
        post = read_back(project, entry.path)
        assert "uncategorized" not in {str(post.category).lower()}
        assert "uncategorized" not in {str(tag).lower() for tag in getattr(post, "tags", [])}
    assert not any("uncategorized" in r.source + r.target for r in report.redirects)
