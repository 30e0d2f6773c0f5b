"""A WordPress post body to Markdown: as WordPress shows it, safe, and nothing lost."""

from __future__ import annotations

import html

import markdown
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from condividi.migrate.convert import (
    autoembed,
    convert_excerpt,
    convert_post,
    has_blocks,
    plain_text,
    strip_block_comments,
)
from condividi.migrate.shortcodes import MediaContext

CONTEXT = MediaContext({})


def keep(url: str) -> None:
    return None


def convert(content: str, rewrite=keep):  # type: ignore[no-untyped-def]
    return convert_post(content, CONTEXT, rewrite)


def render(body: str) -> BeautifulSoup:
    """Render Markdown the way Pelican's reader does (extra, codehilite, front matter)."""
    converter = markdown.Markdown(
        extensions=["markdown.extensions.extra", "markdown.extensions.meta", "codehilite"],
        output_format="html5",
    )
    return BeautifulSoup(converter.convert(f"Title: x\n\n{body}"), "html.parser")


def test_a_classic_post_gets_paragraphs_and_breaks() -> None:
    result = convert("Uno\ndue\n\nTre")
    assert result.markdown == "Uno  \ndue\n\nTre\n"
    page = render(result.markdown)
    assert [p.decode_contents() for p in page.find_all("p")] == ["Uno<br/>\ndue", "Tre"]


def test_a_block_post_keeps_its_html_without_wpautop() -> None:
    content = (
        "<!-- wp:paragraph -->\n<p>Riga\nsenza br</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:separator /-->\n<!-- wp:heading {"level":3} -->\n<h3>Sezione</h3>\n'
        "<!-- /wp:heading -->"
    )
    assert has_blocks(content)
    assert "wp:" not in strip_block_comments(content)
    assert convert(content).markdown == "Riga senza br\n\n### Sezione\n"


def test_a_url_alone_on_its_line_becomes_a_link() -> None:
    assert autoembed("Guarda:\nhttps://youtu.be/x\nFine") == (
        'Guarda:\n<a href="https://youtu.be/x">https://youtu.be/x</a>\nFine'
    )
    assert "<https://youtu.be/x>" in convert("Guarda:\n\nhttps://youtu.be/x").markdown


def test_scripts_styles_and_handlers_go_and_are_counted() -> None:
    result = convert(
        '<p onclick="x()" style="color:red">Testo</p>\n<script>alert(1)</script>'
        "<style>p{}</style>\n"
        '<a href="javascript:alert(1)">clic</a>'
    )
    page = render(result.markdown)
    assert not page.find(["script", "style"]) and "onclick" not in result.markdown
    assert "style=" not in result.markdown and "javascript:" not in result.markdown
    assert "<script> removed (no inline scripts or styles on the site)" in result.notes
    assert "event handler attribute removed (on...)" in result.notes


def test_players_become_links() -> None:
    result = convert(
        '<iframe src="https://www.youtube.com/embed/x" width="560" frameborder="0"></iframe>\n\n'
        '<object data="https://example.org/movie.swf"></object>'
    )
    page = render(result.markdown)
    assert not page.find(["iframe", "object"])
    assert [a["href"] for a in page.find_all("a")] == [
        "https://www.youtube.com/embed/x",
        "https://example.org/movie.swf",
    ]
    assert "<iframe> player turned into a link" in result.notes


def test_what_markdown_cannot_say_stays_html() -> None:
    result = convert(
        "<figure><img src='/a.jpg' alt='A'><figcaption>Didascalia</figcaption></figure>\n"
        "<table><tr><td colspan='2'>unita</td></tr></table>\n"
        '<p dir="rtl" lang="he">שלום</p>\n'
        "E = mc<sup>2</sup>, <u>sottolineato</u>, <span lang='en'>*really*</span>"
    )
    page = render(result.markdown)
    assert page.find("figcaption").get_text() == "Didascalia"
    assert page.find("td")["colspan"] == "2"
    assert page.find("p", dir="rtl")["lang"] == "he"
    assert page.find("sup").get_text() == "2" and page.find("u")
    assert page.find("span", lang="en").get_text() == "*really*"
    assert not page.select("p > figure, p > table")


def test_a_simple_table_becomes_a_markdown_table() -> None:
    result = convert("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>")
    assert "| A | B |" in result.markdown
    assert render(result.markdown).find("th").get_text() == "A"


def test_obsolete_attributes_and_wordpress_classes_go() -> None:
    result = convert(
        '<p align="center">X</p><img class="wp-image-3" src="/a.jpg" align="left" '
        'srcset="/a-300.jpg 300w" width="300" height="auto">'
    )
    for gone in ("align=", "srcset", "wp-image", 'height="auto"'):
        assert gone not in result.markdown
    assert render(result.markdown).find("img")["alt"] == ""


def test_a_figure_inside_a_paragraph_is_lifted_out() -> None:
    result = convert('Testo [caption]<img src="/a.jpg" alt="a"> Foto[/caption] altro testo')
    page = render(result.markdown)
    assert page.find("figure") is not None and not page.select("p figure")
    assert "altro testo" in page.get_text()


def test_urls_pass_through_the_rewriter() -> None:
    def rewrite(url: str) -> str | None:
        return "{static}/images/a.jpg" if url.endswith("a.jpg") else None

    result = convert('<img src="https://x.org/a.jpg" alt="A"> <a href="/b">b</a>', rewrite)
    assert "![A]({static}/images/a.jpg)" in result.markdown and "[b](/b)" in result.markdown


def test_shortcodes_left_are_reported() -> None:
    result = convert('[contact-form-7 id="1"]')
    assert result.shortcodes_left == {"contact-form-7": 1}
    assert "[contact-form-7" in render(result.markdown).get_text()


def test_an_excerpt_is_one_line_of_markdown() -> None:
    assert convert_excerpt("Due\nrighe &amp; <em>enfasi</em>", keep) == ("Due righe &amp; *enfasi*")
    assert convert_excerpt("", keep) == ""


def test_titles_become_plain_text() -> None:
    assert plain_text("Tom &amp; Jerry <b>bold</b>\n  again") == "Tom & Jerry bold again"
    assert plain_text("&#8220;Citato&#8221; 🎉") == "“Citato” 🎉"


TEXT = st.text(
    alphabet=st.sampled_from(
        list("abc XYZ 019 ") + list("*_`[]<>&#-+.!|\\{}():~=^%$@\"'/") + ["à", "🎉", "ש"]
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_any_text_reads_back_the_same(text: str, after_break: str) -> None:
    """Whatever characters a paragraph holds, Pelican shows exactly them, never markup."""
    result = convert(f"<p>{html.escape(text)}<br>{html.escape(after_break)}</p>")
    page = render(result.markdown)
    expected = " ".join(f"{text} {after_break}".split())
    assert " ".join(page.get_text().split()) == expected, result.markdown
    assert not page.find(["em", "strong", "code", "a", "h1", "h2", "ul", "ol", "pre", "hr"])


def test_a_huge_post_converts_whole() -> None:
    paragraph = "Una frase con *asterischi*, [parentesi] e <em>enfasi</em> che si ripete. " * 8
    result = convert("\n\n".join(f"{number}. {paragraph}" for number in range(1000)))
    assert result.markdown.count("\n\n") == 999
    assert result.markdown.rstrip().endswith("che si ripete.")
    assert result.shortcodes_left == {}


def real_post(title: str, package: str = "pelican") -> str:
    """Return the content of the post ``title`` of a real export (tests/data/wordpress/real)."""
    from condividi.migrate.wxr import read_export
    from tests.real_exports_support import corpus

    path = next(export.path for export in corpus() if export.package == package)
    return next(item.content for item in read_export(path).items if item.title == title)


def test_a_real_list_with_a_code_block_keeps_its_four_items() -> None:
    # Pelican's own importer test export: items indented by 4 spaces, one holding a <pre>.
    page = render(convert(real_post("Code in List")).markdown)
    lists = page.find_all("ul")
    assert len(lists) == 1
    items = lists[0].find_all("li", recursive=False)
    assert [" ".join(item.get_text(" ").split())[:21] for item in items] == [
        "List Item One!",
        "List Item Two!",
        "This is a code sample",
        "List Item Four!",
    ]
    code = items[2].find("pre")
    assert code is not None and "for i in zip(a, b):" in code.get_text()
    assert "print i" in code.get_text() and page.find("code", string="a = [1, 2, 3]") is None
    assert "- List Item" not in page.get_text()


def test_nested_and_mixed_lists_stay_nested() -> None:
    html_list = (
        "<ul><li>One<ul><li>One a</li><li>One b<ol><li>deep</li><li>deeper</li></ol></li>"
        "</ul></li><li>Two</li></ul>"
    )
    page = render(convert(html_list).markdown)
    top = page.find("ul")
    assert [li.contents[0].strip() for li in top.find_all("li", recursive=False)] == ["One", "Two"]
    second = top.find("li").find("ul")
    assert [li.contents[0].strip() for li in second.find_all("li", recursive=False)] == [
        "One a",
        "One b",
    ]
    assert [li.get_text() for li in second.find("ol").find_all("li")] == ["deep", "deeper"]


def test_a_long_numbered_list_keeps_its_continuation_lines() -> None:
    items = "".join(f"<li>Item {n}<br>second line</li>" for n in range(1, 12))
    page = render(convert(f"<ol>{items}</ol>").markdown)
    rendered = page.find("ol").find_all("li", recursive=False)
    assert len(rendered) == 11 and all("second line" in li.get_text() for li in rendered)
