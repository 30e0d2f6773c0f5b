"""The WordPress export reader: typed items from WXR 1.0 to 1.2 (http or https), read safely."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from condividi.migrate.wxr import WxrError, parse_date, parse_export, read_export
from tests.real_exports_support import corpus

DATA = Path(__file__).parent / "data" / "wordpress"
WXR_12 = DATA / "blog-1.2.xml"
WXR_11 = DATA / "blog-1.1.xml"

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title><link>https://t.example.org</link>
<item><title>{title}</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>
<content:encoded>{content}</content:encoded></item>
</channel></rss>
"""


def test_site_and_items_of_a_12_export() -> None:
    export = read_export(WXR_12)
    site = export.site
    assert (site.title, site.link, site.language, site.version) == (
        "Il blog di Giulia",
        "https://giulia.example.org",
        "it-IT",
        "1.2",
    )
    assert site.lang == "it" and site.host == "giulia.example.org"
    assert [(c.nicename, c.parent) for c in site.categories] == [
        ("marketing-social", ""),
        ("dati", "marketing-social"),
        ("newsletter", ""),
    ]
    assert site.authors[0].display_name == "Giulia Ferraris"
    assert [item.id for item in export.posts][:2] == [101, 102]
    assert [item.id for item in export.pages] == [301, 302]
    assert [item.id for item in export.attachments] == [201, 202, 203]
    assert export.by_id[401].type == "nav_menu_item"


def test_a_post_has_its_fields_typed() -> None:
    post = read_export(WXR_12).by_id[101]
    assert post.title == "Benvenuti nel nuovo blog"
    assert post.link == "https://giulia.example.org/2024/03/benvenuti/"
    assert post.guid == "https://giulia.example.org/?p=101"
    assert (post.post_name, post.status, post.type) == ("benvenuti", "publish", "post")
    assert post.date == datetime(2024, 3, 10, 10, 0)
    assert post.date_gmt == datetime(2024, 3, 10, 9, 0)
    assert post.modified_gmt == datetime(2024, 3, 15, 17, 30)
    assert post.creator == "giulia"
    assert post.excerpt.startswith("Il primo post: foto, video &amp; <em>")
    assert post.content.startswith("Benvenuti! Questo è il primo post")
    assert [(t.domain, t.nicename, t.name) for t in post.categories] == [
        ("category", "marketing-social", "Marketing &amp; social"),
        ("category", "newsletter", "Newsletter"),
    ]
    assert [t.nicename for t in post.tags] == ["follower", "linkedin"]
    assert post.meta("_thumbnail_id") == "201" and post.meta("nothing") == ""
    assert post.line > 20 and "post 101 'Benvenuti nel nuovo blog'" in post.describe()


def test_comments_keep_threading_and_approval() -> None:
    comments = read_export(WXR_12).by_id[101].comments
    assert [(c.id, c.parent, c.approved, c.type) for c in comments] == [
        (11, 0, "1", "comment"),
        (12, 11, "1", ""),
        (13, 0, "0", "comment"),
        (14, 0, "spam", "comment"),
        (15, 0, "1", "pingback"),
    ]
    assert [c.is_approved_comment for c in comments] == [True, True, False, False, False]
    marco = comments[0]
    assert (marco.author, marco.email, marco.url, marco.ip) == (
        "Marco",
        "marco@example.org",
        "https://marco.example.org",
        "93.45.12.7",
    )
    assert marco.content == "Auguri per il nuovo blog!\nLo seguirò."
    assert comments[2].date_gmt is None and comments[2].date == datetime(2024, 3, 11, 9, 0)


def test_zero_dates_and_attachments() -> None:
    export = read_export(WXR_12)
    draft = export.by_id[103]
    assert draft.date == datetime(2024, 3, 20, 18, 45) and draft.date_gmt is None
    assert export.by_id[110].date is None and export.by_id[110].date_gmt is None
    photo = export.by_id[201]
    assert photo.attachment_url.endswith("/wp-content/uploads/2024/03/foto.jpg")
    assert photo.parent == 101 and photo.meta("_wp_attachment_image_alt") == "Una foto di prova"


def test_a_11_export_reads_the_same_way() -> None:
    export = read_export(WXR_11)
    assert export.site.version == "1.1" and export.site.lang == "it"
    post = export.by_id[7]
    assert post.date_gmt == datetime(2011, 5, 4, 8, 15)
    assert [c.parent for c in post.comments] == [0, 2, 3]
    assert [item.type for item in export.items] == ["post", "page"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-05-04 10:30:00", datetime(2013, 5, 4, 10, 30)),
        ("0000-00-00 00:00:00", None),
        ("", None),
        ("2013-13-45 99:00:00", None),
    ],
)
def test_dates(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_invalid_xml_is_named_with_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(MINIMAL.format(doctype="", title="A & B", content="x"), encoding="utf-8")
    with pytest.raises(WxrError, match=r"broken\.xml:5: not well-formed XML"):
        read_export(broken)


def test_a_feed_or_another_document_is_not_an_export(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text('<rss version="2.0"><channel><title>x</title></channel></rss>')
    with pytest.raises(WxrError, match=r"feed\.xml: not a WordPress export"):
        read_export(feed)
    page = tmp_path / "page.xml"
    page.write_text("<html><body/></html>")
    with pytest.raises(WxrError, match=r"page\.xml: not a WordPress export"):
        read_export(page)
    with pytest.raises(WxrError, match=r"nowhere\.xml: cannot be read"):
        read_export(tmp_path / "nowhere.xml")


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    doctype = (
        f'<!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    )
    text = MINIMAL.format(doctype=doctype, title="&leak;&b;", content="&b;")
    export = parse_export(text.encode(), tmp_path / "evil.xml")
    assert "password" not in export.items[0].title
    assert "aaaa" not in export.items[0].title + export.items[0].content


def test_a_huge_post_reads(tmp_path: Path) -> None:
    # libxml2 refuses a text node over 10 MB unless huge_tree is on.
    body = "<p>" + "Una frase lunga che si ripete. " * 360_000 + "</p>"
    assert len(body) > 10_000_000
    path = tmp_path / "huge.xml"
    path.write_text(
        MINIMAL.format(doctype="", title="Enorme", content=f"<![CDATA[{body}]]>"),
        encoding="utf-8",
    )
    (item,) = read_export(path).items
    assert len(item.content) == len(body)


def test_text_after_an_unexpanded_entity_is_kept(tmp_path: Path) -> None:
    secret = tmp_path / "hostname"
    secret.write_text("segreto")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    text = MINIMAL.format(
        doctype=doctype,
        title="XXE &xxe; titolo",
        content="<![CDATA[<p>Prima</p>]]>&xxe;<![CDATA[<p>dopo</p>]]>",
    )
    (item,) = parse_export(text.encode(), tmp_path / "xxe.xml").items
    assert item.title == "XXE &xxe; titolo"
    assert item.content == "<p>Prima</p>&xxe;<p>dopo</p>"
    assert item.entities == ("&xxe;",)
    assert "segreto" not in item.title + item.content


def wordpress_com(data: bytes, prefix: str = "wp") -> bytes:
    """Rewrite a real export the way WordPress.com writes it: https:// namespaces (WXR 1.2).

    ``prefix`` renames the ``wp:`` prefix too (an XML tool may choose any prefix).
    """
    text = data.decode("utf-8")
    text = re.sub(r"http://wordpress\.org/export/1\.\d/", "https://wordpress.org/export/1.2/", text)
    if prefix != "wp":
        text = re.sub(r"(</?)wp:", rf"\g<1>{prefix}:", text).replace(
            "xmlns:wp=", f"xmlns:{prefix}="
        )
    return text.encode("utf-8")


def summary(export) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [
        (
            item.id,
            item.type,
            item.status,
            item.title,
            item.content,
            item.excerpt,
            item.terms,
            item.postmeta,
            item.comments,
        )
        for item in export.items
    ]


@pytest.mark.parametrize("prefix", ["wp", "wordpress"])
def test_a_wordpress_com_export_with_https_namespaces_reads_the_same(prefix: str) -> None:
    real = next(export for export in corpus() if export.package == "pelican")
    data = real.path.read_bytes()
    original = parse_export(data, real.path)
    rewritten = wordpress_com(data, prefix)
    assert (
        b'="https://wordpress.org/export/1.2/"' in rewritten
        and b"http://wordpress.org/export/" not in rewritten
    )
    https = parse_export(rewritten, real.path)
    assert summary(https) == summary(original)
    assert https.site.categories == original.site.categories
    assert len(https.posts) == 11 and any(item.comments for item in https.posts)


def test_every_real_export_reads_with_its_version() -> None:
    versions = {export.name: read_export(export.path).site.version for export in corpus()}
    assert versions == {
        "pelican-wordpressexport": "1.1",
        "nikola-wordpress_export_example": "1.2",
        "nikola-wordpress_unicode_export": "1.2",
        "armstrong-simple": "1.0",
        "wagtail-raw_xml": "1.2",
        "wagtail-post_meta": "1.2",
    }
    simple = read_export(next(e.path for e in corpus() if e.package.startswith("armstrong")))
    published = [item for item in simple.posts if item.status == "publish"]
    assert len(published) == 3 and all(item.content.strip() for item in published)
    assert simple.by_id[simple.posts[0].id].excerpt == simple.posts[0].excerpt


def test_plain_text_values_read_like_cdata() -> None:
    plain = MINIMAL.format(doctype="", title="Tom &amp; Jerry", content="&lt;p&gt;Ciao&lt;/p&gt;")
    cdata = MINIMAL.format(
        doctype="", title="<![CDATA[Tom & Jerry]]>", content="<![CDATA[<p>Ciao</p>]]>"
    )
    read = [parse_export(text.encode(), Path("x.xml")).items[0] for text in (plain, cdata)]
    assert [(item.title, item.content) for item in read] == [("Tom & Jerry", "<p>Ciao</p>")] * 2


def test_an_item_without_a_type_keeps_it_empty() -> None:
    text = MINIMAL.format(doctype="", title="T", content="C").replace(
        "<wp:post_type>post</wp:post_type>", ""
    )
    item = parse_export(text.encode(), Path("x.xml")).items[0]
    assert item.type == "" and item.describe().startswith("item 1 'T'")


def test_wordpress_coms_undeclared_atom_prefix_is_let_through_and_nothing_else() -> None:
    text = MINIMAL.format(doctype="", title="T", content="C")
    text = text.replace("<channel>", '<channel><atom:link rel="hub" href="https://x.example"/>')
    assert parse_export(text.encode(), Path("x.xml")).items[0].title == "T"
    broken = text.replace("<title>T</title>", "<title>T</titel>")
    with pytest.raises(WxrError, match=r"x\.xml:\d+: not well-formed XML"):
        parse_export(broken.encode(), Path("x.xml"))
