"""One command moves a WordPress blog in: the imported site builds, validates and has comments.

The sample site is copied, the sample export imported with its uploads folder by the real
command (comments into a real Isso database), then built with publishconf.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from condividi.build import build_site
from tests.comments_support import IssoServer
from tests.conftest import copy_project
from tests.feeds_support import atom_errors, feed_files, rss_errors
from tests.test_html_validity import vnu_errors

DATA = Path(__file__).parent / "data" / "wordpress"
WXR = DATA / "blog-1.2.xml"
UPLOADS = DATA / "uploads"
SITEURL = "https://blog.example.org"
PUBLISHED = [
    "benvenuti",
    "dati-non-vanita",
    "titolo-ostile",
    "shlvm-vlm",
    "109-2",
    "en/a-video-in-english",
]
PAGES = ["contatti", "dove-trovarmi"]


@dataclass
class Imported:
    project: Path
    output: Path
    result: subprocess.CompletedProcess[str]


def import_command(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "condividi", "import", "wordpress", str(WXR), *options],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and "output" not in path.parts
    }


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    base = tmp_path_factory.mktemp("wordpress")
    project = copy_project(base)
    result = import_command(project, "--uploads", str(UPLOADS))
    output = build_site(
        project / "publishconf.py",
        project / "output",
        {"SITEURL": SITEURL, "PATH": str(project / "content"), "CACHE_PATH": str(base / "cache")},
    )
    yield Imported(project, output, result)


def page(output: Path, slug: str) -> BeautifulSoup:
    return BeautifulSoup((output / slug / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_the_import_succeeds_and_reports(imported: Imported) -> None:
    assert imported.result.returncode == 0, imported.result.stdout + imported.result.stderr
    out = imported.result.stdout
    assert "posts: 11 imported, 0 unchanged, 0 replaced (5 as drafts)" in out
    assert "pages: 2 imported" in out
    assert "post 106 'Un post cestinato' (line" in out and "in the trash" in out
    assert "Media: 2 copied" in out and "2 missing" in out
    assert "Comments: 5 approved comments went to 4 posts in Isso" in out


def test_every_imported_post_has_share_and_comments(imported: Imported) -> None:
    for slug in PUBLISHED:
        html = page(imported.output, slug)
        assert html.select_one("article.post footer.post-footer section.share"), slug
        assert html.select_one("section#commenti #isso-thread"), slug
        assert html.select_one("aside.thanks"), slug
    for slug in PAGES:
        assert page(imported.output, slug).find("h1")
    # The page that had a comment on WordPress keeps a comments section; the other has none.
    contacts = page(imported.output, "contatti")
    thread = contacts.select_one("article.page section#commenti #isso-thread")
    assert thread is not None and thread["data-isso-id"] == "/contatti/"
    assert contacts.select_one("section#commenti [data-comments-count='/contatti/']")
    assert contacts.select_one("script[data-comments-server]")  # fills the count
    assert not page(imported.output, "dove-trovarmi").select("#commenti, #isso-thread")


def test_the_build_publishes_the_old_addresses(imported: Imported) -> None:
    published = (imported.output / "_redirects").read_text(encoding="utf-8").split("\n")
    for line in (
        "/2024/03/benvenuti/ /benvenuti/ 301",
        "/feed/ /feeds/atom.xml 301",
        "/wp-content/uploads/2024/03/foto.jpg /images/2024/03/foto.jpg 301",
    ):
        assert " ".join(line.split()) in {" ".join(row.split()) for row in published}, line
    # A static host without redirects gets a page at the old permalink.
    old = page(imported.output, "2024/03/benvenuti")
    assert old.find("a", href=f"{SITEURL}/benvenuti/") or old.find("a", href="/benvenuti/")


def test_drafts_are_not_published(imported: Imported) -> None:
    for slug in ("bozza-idee-sparse", "in-attesa-di-revisione", "solo-per-me", "senza-data"):
        assert not (imported.output / slug).exists()


def test_media_links_and_shortcodes_in_the_built_pages(imported: Imported) -> None:
    welcome = page(imported.output, "benvenuti")
    figure = welcome.select_one(".post-body figure")
    # The responsive-images step writes the site's own copies root-relative.
    assert urljoin(f"{SITEURL}/", figure.img["src"]) == f"{SITEURL}/images/2024/03/foto.jpg"
    assert figure.figcaption.get_text() == "La foto del primo giorno"
    assert (imported.output / "images/2024/03/foto.jpg").is_file()
    links = [a["href"] for a in welcome.select(".post-body a")]
    assert f"{SITEURL}/dati-non-vanita/#commenti" in links
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in links
    assert not welcome.select(".post-body iframe, .post-body script")
    data = page(imported.output, "dati-non-vanita")
    assert len(data.select(".gallery figure img")) == 2
    assert data.select_one("audio[controls] source")["type"] == "audio/mpeg"
    video = page(imported.output, "en/a-video-in-english")
    assert video.html["lang"] == "en"
    assert video.select_one("video")["poster"] == f"{SITEURL}/images/2024/03/foto.jpg"


def test_no_inline_script_or_style_on_imported_pages(imported: Imported) -> None:
    for slug in PUBLISHED + PAGES:
        html = page(imported.output, slug)
        for script in html.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", slug
        assert not html.find("style") and not html.select("[style]"), slug
        assert not [
            tag for tag in html.find_all(True) if any(a.startswith("on") for a in tag.attrs)
        ]


def test_the_feeds_stay_valid(imported: Imported) -> None:
    feeds = feed_files(imported.output)
    assert any("categoria/marketing-social" in str(feed) for feed in feeds)
    for feed in feeds:
        if feed.name.endswith(".atom.xml") or feed.name == "atom.xml":
            assert atom_errors(feed) == [], feed
        elif feed.name.endswith("rss.xml"):
            assert rss_errors(feed) == [], feed
    atom = (imported.output / "feeds/atom.xml").read_text(encoding="utf-8")
    assert f"{SITEURL}/benvenuti/" in atom
    # Feed readers know the post by its WordPress guid: it does not come back as new.
    assert "<id>https://giulia.example.org/?p=101</id>" in atom


@pytest.mark.vnu
def test_imported_pages_are_valid_html(imported: Imported) -> None:
    errors = vnu_errors([imported.output / slug / "index.html" for slug in PUBLISHED + PAGES])
    assert errors == [], "\n".join(errors)


@pytest.mark.isso
def test_comments_land_in_isso_on_their_threads(imported: Imported) -> None:
    database = imported.project / "var" / "comments" / "comments.db"
    with IssoServer(database.parent, (SITEURL,)) as isso:
        assert isso.counts(
            "/benvenuti/", "/dati-non-vanita/", "/en/a-video-in-english/", "/contatti/"
        ) == [2, 1, 1, 1]
        thread = isso.thread("/benvenuti/")
    (marco,) = thread["replies"]
    assert marco["author"] == "Marco"
    assert [reply["author"] for reply in marco["replies"]] == ["Giulia"]


def test_running_again_changes_nothing(imported: Imported) -> None:
    before = snapshot(imported.project)
    again = import_command(imported.project, "--uploads", str(UPLOADS))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "posts: 0 imported, 11 unchanged, 0 replaced" in again.stdout
    assert "4 posts already had comments in Isso: left as they were" in again.stdout
    after = snapshot(imported.project)
    changed = [name for name in after if after[name] != before.get(name)]
    assert changed == [] or all("var/comments" in name for name in changed), changed


def test_a_dry_run_writes_nothing(imported: Imported, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    before = snapshot(project)
    result = import_command(project, "--uploads", str(UPLOADS), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "posts: 11 to import" in result.stdout
    assert "Comments: 5 approved comments would go to 4 posts in Isso" in result.stdout
    assert snapshot(project) == before
    assert not (project / "var").exists()


HELD_BACK = DATA / "held-back.xml"


@pytest.fixture(scope="module")
def held_back(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    base = tmp_path_factory.mktemp("held-back")
    project = copy_project(base)
    result = subprocess.run(
        [sys.executable, "-m", "condividi", "import", "wordpress", str(HELD_BACK)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = build_site(  # make publish: raises if anything the import left stops it
        project / "publishconf.py",
        project / "output",
        {"SITEURL": SITEURL, "PATH": str(project / "content"), "CACHE_PATH": str(base / "cache")},
    )
    yield Imported(project, output, result)


def test_a_scheduled_post_and_its_category_leave_a_site_that_publishes(
    held_back: Imported,
) -> None:
    assert "Waiting (each build leaves them out until their target is published):" in (
        held_back.result.stdout
    )
    assert not (held_back.output / "in-arrivo").exists()
    assert not (held_back.output / "categoria/prossimamente").exists()
    published = (held_back.output / "_redirects").read_text(encoding="utf-8")
    rules = {tuple(line.split()[:2]) for line in published.splitlines() if line.strip()}
    assert ("/2020/01/nome-originale/", "/nuovo-nome/") in rules
    assert ("/2020/01/secondo-nome/", "/nuovo-nome/") in rules
    assert not any(source in ("/category/prossimamente/", "/?p=502") for source, _ in rules)
    assert (held_back.output / "2020/01/nome-originale/index.html").is_file()


def test_a_password_protected_post_is_never_published(held_back: Imported) -> None:
    assert "password-protected on WordPress: imported as a draft" in held_back.result.stdout
    for path in held_back.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "via dei Segreti" not in text and "Passo a trovarti" not in text, path
    assert not (held_back.output / "solo-per-gli-amici").exists()


def test_an_imported_page_keeps_its_comments(held_back: Imported) -> None:
    guests = page(held_back.output, "ospiti")
    assert guests.select_one("article.page #isso-thread")["data-isso-id"] == "/ospiti/"
    assert not page(held_back.output, "su-di-me").select("#commenti")


@pytest.mark.isso
def test_the_page_comments_land_in_isso(held_back: Imported) -> None:
    database = held_back.project / "var" / "comments" / "comments.db"
    with IssoServer(database.parent, (SITEURL,)) as isso:
        assert isso.counts("/ospiti/", "/solo-per-gli-amici/") == [2, 0]
        (sara,) = isso.thread("/ospiti/")["replies"]
    assert sara["author"] == "Sara" and [r["author"] for r in sara["replies"]] == ["Anna"]


def test_pelicans_own_export_imports_and_publishes(tmp_path: Path) -> None:
    """Pelican's importer test export (a real WordPress 3.3 file) declares "Uncategorized"."""
    import pelican

    wxr = Path(pelican.__file__).parent / "tests" / "content" / "wordpressexport.xml"
    assert "<wp:cat_name><![CDATA[Uncategorized]]></wp:cat_name>" in wxr.read_text()
    project = copy_project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "condividi", "import", "wordpress", str(wxr), "--no-comments"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = build_site(
        project / "publishconf.py",
        project / "output",
        {"SITEURL": SITEURL, "PATH": str(project / "content"), "CACHE_PATH": str(tmp_path / "c")},
    )
    assert (output / "categoria" / "category-2" / "index.html").is_file()
    assert not list(output.glob("**/uncategorized*"))
    assert "uncategorized" not in (project / "content" / "redirects.txt").read_text().lower()
