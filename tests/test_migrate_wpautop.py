"""wpautop: paragraphs and line breaks as WordPress makes them (cases from its own tests)."""

from __future__ import annotations

import pytest

from condividi.migrate.wpautop import shortcode_unautop, wpautop


def test_blank_lines_make_paragraphs_and_newlines_breaks() -> None:
    assert wpautop("Uno\ndue\n\nTre") == "<p>Uno<br />\ndue</p>\n<p>Tre</p>\n"


def test_empty_text_gives_nothing() -> None:
    assert wpautop("  \n\n ") == ""


def test_many_blank_lines_are_one_paragraph_break() -> None:
    assert wpautop("A\n\n\n\n\nB") == "<p>A</p>\n<p>B</p>\n"


def test_block_elements_are_not_wrapped() -> None:
    html = wpautop("Prima\n<ul>\n<li>uno</li>\n<li>due</li>\n</ul>\nDopo")
    assert html == "<p>Prima</p>\n<ul>\n<li>uno</li>\n<li>due</li>\n</ul>\n<p>Dopo</p>\n"
    assert wpautop("<div>dentro</div>") == "<div>dentro</div>\n"
    assert wpautop("<h2>Titolo</h2>\nTesto") == "<h2>Titolo</h2>\n<p>Testo</p>\n"


def test_preformatted_text_keeps_its_lines() -> None:
    html = wpautop("Codice:\n<pre>uno\n\n  due</pre>\nFine")
    assert "<pre>uno\n\n  due</pre>" in html
    assert html.startswith("<p>Codice:</p>")


def test_scripts_and_styles_keep_their_newlines() -> None:
    html = wpautop("<script>\nvar a = 1;\nvar b = 2;\n</script>")
    assert "<br" not in html and "var a = 1;\nvar b = 2;" in html


def test_a_blockquote_holds_its_paragraph() -> None:
    assert wpautop("<blockquote>Citazione</blockquote>") == (
        "<blockquote><p>Citazione</p></blockquote>\n"
    )


def test_two_breaks_make_a_paragraph() -> None:
    assert wpautop("A<br><br>B") == "<p>A</p>\n<p>B</p>\n"


def test_newlines_inside_a_tag_are_not_breaks() -> None:
    html = wpautop('Un <a\nhref="x">link</a> qui')
    assert html == '<p>Un <a\nhref="x">link</a> qui</p>\n'


def test_without_br_single_newlines_stay() -> None:
    assert wpautop("Uno\ndue", br=False) == "<p>Uno\ndue</p>\n"


def test_options_and_sources_are_not_broken_up() -> None:
    html = wpautop("<select>\n<option>a</option>\n<option>b</option>\n</select>")
    assert "<br" not in html
    html = wpautop('<video controls>\n<source src="a.mp4">\n</video>')
    assert '<video controls><source src="a.mp4"></video>' in html


@pytest.mark.parametrize("name", ["gallery", "caption"])
def test_a_shortcode_alone_leaves_its_paragraph(name: str) -> None:
    html = wpautop(f'Testo\n\n[{name} ids="1,2"]\n\nAltro')
    assert f'<p>[{name} ids="1,2"]</p>' in html
    assert f'\n[{name} ids="1,2"]\n' in shortcode_unautop(html, [name])
    assert shortcode_unautop("<p>Vedi [gallery] qui</p>", ["gallery"]) == (
        "<p>Vedi [gallery] qui</p>"
    )


def test_an_enclosing_shortcode_alone_leaves_its_paragraph() -> None:
    html = "<p>[caption id=\"x\"]<img src='a.jpg'> Testo[/caption]</p>\n"
    assert shortcode_unautop(html, ["caption"]) == (
        "[caption id=\"x\"]<img src='a.jpg'> Testo[/caption]\n"
    )
