"""Editions in real builds: previews in development, the manifest in publish, sizes, states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from PIL import Image

from condividi.build import BuildError, load_settings
from condividi.newsletter.edition import read_manifest
from condividi.newsletter.ledger import Entry, Ledger
from tests.conftest import BuildSite
from tests.edition_support import image_post_body, long_post_body, markdown_post

SITE = "https://blog.example.org"
PREVIEWS = "newsletter/anteprima"
DRAFT = "appunti-sul-marketing-nelle-piccole-citta"
FUTURE = "previsioni-per-il-2031-il-social-media-manager-che-verra"
ENGLISH = "why-we-left-the-share-button-scripts-behind"


def published_slugs(project: Path) -> dict[str, str]:
    """Return slug -> lang of every post the sample content publishes today."""
    slugs = {}
    for source in (project / "content" / "articles").glob("*.md"):
        header = dict(
            line.split(":", 1)
            for line in source.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        )
        if header.get("Status", "").strip() in ("draft", "hidden"):
            continue
        if header["Date"].strip() > "2030":
            continue
        slugs[header.get("Slug", source.stem).strip()] = header.get("Lang", "it").strip()
    return slugs


def preview_of(output: Path, slug: str, lang: str) -> Path:
    prefix = "" if lang == "it" else f"{lang}/"
    return output / PREVIEWS / f"{prefix}{slug}" / "index.html"


def editions_folder(make_site: BuildSite) -> Path:
    return make_site.project / "var" / "newsletter" / "editions"  # type: ignore[attr-defined]


def write_ledger(project: Path, archived: list[str] = ()) -> None:  # type: ignore[assignment]
    """Give the project a send ledger with ``archived`` slugs settled (nothing else)."""
    ledger = Ledger.create(project / "newsletter" / "ledger.json")
    for slug in archived:
        ledger.entries[f"tag:www.example.org,2026:{slug}"] = Entry(state="archived")
    ledger.save()


@pytest.fixture(autouse=True)
def empty_ledger(make_site: BuildSite) -> None:
    """Every published post is unsent, so publish builds render them all."""
    write_ledger(make_site.project)  # type: ignore[attr-defined]


def test_development_builds_preview_every_published_post(make_site: BuildSite) -> None:
    output = make_site(settings="pelicanconf.py", siteurl=SITE)
    slugs = published_slugs(make_site.project)  # type: ignore[attr-defined]
    assert len(slugs) == 6 and slugs[ENGLISH] == "en"
    for slug, lang in slugs.items():
        preview = preview_of(output, slug, lang)
        page = BeautifulSoup(preview.read_text(encoding="utf-8"), "html.parser")
        assert page.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
        assert page.html["lang"] == lang
        assert page.select_one("a.button-link")["href"].startswith(f"{SITE}/")
        text = preview.with_name("index.txt").read_bytes()
        assert text.startswith(b"\xef\xbb\xbf")  # browsers read it as UTF-8, accents intact
        assert page.h1.get_text() in text.decode("utf-8-sig")
    built = {p.parent.name for p in (output / PREVIEWS).rglob("index.html")}
    assert built == set(slugs)
    assert (output / "drafts").is_dir()  # drafts are built in development, but not emailed
    assert not (output / PREVIEWS / DRAFT).exists() and not (output / PREVIEWS / FUTURE).exists()
    # Development builds record nothing for the send step.
    assert not editions_folder(make_site).exists()


def test_no_page_links_to_the_previews(make_site: BuildSite) -> None:
    output = make_site(settings="pelicanconf.py", siteurl=SITE)
    previews = output / PREVIEWS
    assert previews.is_dir()
    for path in output.rglob("*"):
        if (
            path.is_file()
            and previews not in path.parents
            and path.suffix
            in (
                ".html",
                ".xml",
                ".txt",
                ".json",
            )
        ):
            assert "anteprima" not in path.read_text(encoding="utf-8"), path


def test_publish_builds_record_editions_and_write_no_preview(make_site: BuildSite) -> None:
    # Even when asked: previews need inline styles, which the live site never carries.
    output = make_site(siteurl=SITE, overrides={"NEWSLETTER_EDITION_PREVIEW": True})
    assert not (output / PREVIEWS).exists()
    # no text editions in the site either (robots.txt, condividi.sitemap, is no edition)
    assert [p for p in output.rglob("*.txt") if p != output / "robots.txt"] == []
    slugs = published_slugs(make_site.project)  # type: ignore[attr-defined]
    manifest = read_manifest(editions_folder(make_site), provider="buttondown")
    assert manifest.siteurl == SITE
    records = {record.slug: record for record in manifest.editions}
    assert set(records) == set(slugs)
    dates = [record.edition.published for record in manifest.editions]
    assert dates == sorted(dates)  # oldest first: the order they go out in
    for slug, record in records.items():
        edition = record.edition
        prefix = "" if slugs[slug] == "it" else f"{slugs[slug]}/"
        assert edition.url == f"{SITE}/{prefix}{slug}/"
        # The key is the post's feed id: it survives a change of URL, date or category.
        assert edition.key == f"tag:www.example.org,2026:{slug}"
        assert len(edition.html.encode("utf-8")) <= 100_000
        assert "{{ unsubscribe_url }}" in edition.html and "{{ unsubscribe_url }}" in edition.text
        assert record.source == f"articles/{slug}.md"
        assert not record.truncated
    assert records[ENGLISH].edition.lang == "en"
    assert "Read it on the site" in records[ENGLISH].edition.text
    states = {post.slug: post.state for post in manifest.withheld}
    assert states == {DRAFT: "draft", FUTURE: "future"}
    sizes = {slug: len(r.edition.html.encode("utf-8")) for slug, r in records.items()}
    print("edition sizes (bytes):", json.dumps(sizes, indent=1))


def test_only_editions_the_ledger_has_not_settled_are_rendered(make_site: BuildSite) -> None:
    project = make_site.project  # type: ignore[attr-defined]
    slugs = sorted(published_slugs(project))
    (project / "newsletter" / "ledger.json").unlink()
    make_site(siteurl=SITE)
    manifest = read_manifest(editions_folder(make_site))
    assert {r.slug for r in manifest.editions} == set(slugs), "every post is listed"
    assert not any(r.rendered for r in manifest.editions), "no ledger: nothing can be sent yet"
    assert not list(editions_folder(make_site).rglob("*.html"))

    write_ledger(project, archived=slugs[1:])
    make_site(siteurl=SITE)
    manifest = read_manifest(editions_folder(make_site))
    rendered = {r.slug: r for r in manifest.editions if r.rendered}
    assert list(rendered) == [slugs[0]]
    assert "{{unsubscribe_url}}" in rendered[slugs[0]].edition.html
    settled = [r for r in manifest.editions if not r.rendered]
    assert all(r.edition.html == "" and r.edition.subject for r in settled)


def test_hidden_posts_and_translations_get_no_edition(make_site: BuildSite) -> None:
    articles = make_site.project / "content" / "articles"  # type: ignore[attr-defined]
    hidden = markdown_post("Una pagina nascosta", "nascosta", "Testo.").replace(
        "Lang: it", "Lang: it\nStatus: hidden"
    )
    (articles / "nascosta.md").write_text(hidden, encoding="utf-8")
    translation = markdown_post(
        "Why companies should stop chasing followers",
        "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower",
        "The English version.",
    ).replace("Lang: it", "Lang: en")
    (articles / "followers-en.md").write_text(translation, encoding="utf-8")
    output = make_site(siteurl=SITE)
    manifest = read_manifest(editions_folder(make_site))
    states = {(post.slug, post.lang): post.state for post in manifest.withheld}
    assert states[("nascosta", "it")] == "hidden"
    slug = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"
    assert states[(slug, "en")] == "translation"
    assert [r.edition.lang for r in manifest.editions if r.slug == slug] == ["it"]
    assert "nascosta" not in {r.slug for r in manifest.editions}
    assert (output / "nascosta" / "index.html").is_file()  # published, just not emailed
    preview = make_site(settings="pelicanconf.py", siteurl=SITE) / PREVIEWS
    assert not (preview / "nascosta").exists() and not (preview / "en" / slug).exists()
    assert (preview / slug / "index.html").is_file()


def test_long_posts_and_many_images_stay_under_the_limit(make_site: BuildSite) -> None:
    content = make_site.project / "content"  # type: ignore[attr-defined]
    (content / "images").mkdir(exist_ok=True)
    Image.new("RGB", (1200, 600), "#9a3412").save(content / "images" / "grafico.png")
    long_body = "![Il grafico]({static}/images/grafico.png)\n\n" + long_post_body(10_000)
    (content / "articles" / "lungo.md").write_text(
        markdown_post("Un saggio di diecimila parole", "lungo", long_body), encoding="utf-8"
    )
    (content / "articles" / "immagini.md").write_text(
        markdown_post("Un saggio pieno di immagini", "immagini", image_post_body(150, 450)),
        encoding="utf-8",
    )
    make_site(siteurl=SITE)
    manifest = read_manifest(editions_folder(make_site))
    records = {record.slug: record for record in manifest.editions}
    sizes = {}
    for slug in ("lungo", "immagini"):
        record = records[slug]
        html = record.edition.html
        sizes[slug] = len(html.encode("utf-8"))
        assert sizes[slug] <= 100_000, slug
        assert record.truncated, slug
        page = BeautifulSoup(html, "html.parser")
        assert page.select_one("a.button-link").get_text() == "Continua a leggere"
        assert all(img.has_attr("alt") and int(img["width"]) <= 560 for img in page("img"))
    chart = BeautifulSoup(records["lungo"].edition.html, "html.parser").select_one(".content img")
    assert chart["src"] == f"{SITE}/images/grafico.png"
    assert (chart["alt"], chart["width"], chart["height"]) == ("Il grafico", "560", "280")
    print("long edition sizes (bytes):", sizes)


def test_a_failed_build_keeps_the_previous_editions(make_site: BuildSite) -> None:
    make_site(siteurl=SITE)
    index = editions_folder(make_site) / "index.json"
    before = index.read_bytes()
    articles = make_site.project / "content" / "articles"  # type: ignore[attr-defined]
    (articles / "rotto.md").write_text(
        "Title: Rotto\nDate: 2026-13-45 99:99\n\nTesto.\n", encoding="utf-8"
    )
    (articles / "nuovo.md").write_text(markdown_post("Nuovo", "nuovo", "Testo."), "utf-8")
    with pytest.raises(BuildError, match=r"rotto\.md"):
        make_site(siteurl=SITE)
    assert index.read_bytes() == before


def test_a_plain_pelican_run_records_no_editions(make_site: BuildSite, tmp_path: Path) -> None:
    # Only the safe build can tell that nothing failed; the send step must not trust the rest.
    project = make_site.project  # type: ignore[attr-defined]
    settings = load_settings(
        project / "publishconf.py",
        {
            "SITEURL": SITE,
            "OUTPUT_PATH": str(tmp_path / "plain"),
            "CACHE_PATH": str(tmp_path / "plain-cache"),
        },
    )
    Pelican(settings).run()
    assert (tmp_path / "plain" / "index.html").is_file()
    assert not editions_folder(make_site).exists()
    make_site(siteurl=SITE)
    assert read_manifest(editions_folder(make_site)).siteurl == SITE


def test_a_bad_edition_setting_stops_the_build(make_site: BuildSite) -> None:
    with pytest.raises(BuildError, match="NEWSLETTER_EDITION_MAX_BYTES = 100 is too small"):
        make_site(siteurl=SITE, overrides={"NEWSLETTER_EDITION_MAX_BYTES": 100})
