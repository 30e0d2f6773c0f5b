"""Absolute URLs and plain text from HTML fragments."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from condividi.html import (
    absolute_srcset,
    absolute_url,
    absolutize_html,
    absolutize_tree,
    html_formatter,
    html_to_text,
)

BASE = "https://blog.example.org/un-saggio/"


def test_relative_urls_resolve_like_in_a_browser() -> None:
    assert absolute_url("immagine.png", BASE) == "https://blog.example.org/un-saggio/immagine.png"
    assert absolute_url("../altro/", BASE) == "https://blog.example.org/altro/"
    assert absolute_url("/archivio/", BASE) == "https://blog.example.org/archivio/"
    assert absolute_url("#nota", BASE) == "https://blog.example.org/un-saggio/#nota"
    assert absolute_url("//cdn.example.org/x.js", BASE) == "https://cdn.example.org/x.js"
    assert absolute_url("?pagina=2", BASE) == "https://blog.example.org/un-saggio/?pagina=2"


def test_complete_urls_and_merge_tags_are_left_alone() -> None:
    for url in (
        "https://altrove.example/x",
        "mailto:giulia@example.org",
        "tel:+390612345",
        "data:image/png;base64,AAAA",
        "{{ unsubscribe_url }}",
        "*|UNSUB|*",
        "{$unsubscribe}",
    ):
        assert absolute_url(url, BASE) == url
    assert absolute_url("", BASE) == BASE, "an empty reference is the page itself"


def test_srcset_keeps_its_descriptors() -> None:
    assert absolute_srcset("a.jpg 1x, /b.jpg 2x", BASE) == (
        "https://blog.example.org/un-saggio/a.jpg 1x, https://blog.example.org/b.jpg 2x"
    )
    assert absolute_srcset("c.jpg 480w,d.jpg 960w", BASE).endswith("un-saggio/d.jpg 960w")


def test_absolutize_html_rewrites_every_url_attribute() -> None:
    fragment = (
        '<p><a href="../x/">x</a> <img src="i.png" srcset="i.png 1x, i2.png 2x" alt="">'
        '<video poster="p.jpg"><source src="v.mp4"></video>'
        '<blockquote cite="/fonte/">q</blockquote><br>città &amp; co.</p>'
    )
    result = absolutize_html(fragment, BASE)
    page = BeautifulSoup(result, "html.parser")
    assert page.a["href"] == "https://blog.example.org/x/"
    assert page.img["src"] == BASE + "i.png"
    assert page.img["srcset"] == f"{BASE}i.png 1x, {BASE}i2.png 2x"
    assert page.video["poster"] == BASE + "p.jpg"
    assert page.source["src"] == BASE + "v.mp4"
    assert page.blockquote["cite"] == "https://blog.example.org/fonte/"
    assert "<br>città &amp; co.</p>" in result  # HTML5 output, text untouched


_VALUES = st.one_of(
    st.sampled_from(
        [
            "https://altrove.example/x",
            "HTTPS://ALTROVE.EXAMPLE/",
            "mailto:a@example.org",
            "{{ unsubscribe_url }}",
            "*|UNSUB|*",
            "{$unsubscribe}",
            "immagine.png",
            "/archivio/",
            "//cdn.example.org/x.js",
            "#nota",
            "",
            " https://altrove.example/spazio",
            "https&#58;//entita.example/",
            "1http://non-uno-schema/",
        ]
    ),
    st.text(alphabet="ab:/.#{}*|$ &;", max_size=12),
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "img", "video", "blockquote", "source"]),
            st.sampled_from(["href", "src", "poster", "cite", "HREF", "data-href", "title"]),
            st.sampled_from(['"', "'", ""]),
            _VALUES,
        ),
        max_size=4,
    )
)
def test_absolutize_html_skips_the_parse_only_when_nothing_would_change(elements) -> None:
    html = "".join(
        f"<p><{tag} {name}={quote}{value if quote else value.replace(' ', '')}{quote}>x</{tag}></p>"
        for tag, name, quote, value in elements
    )
    parsed = BeautifulSoup(html, "html.parser")
    result = absolutize_html(html, BASE)
    if absolutize_tree(parsed, BASE):
        assert result == parsed.decode(formatter=html_formatter())
    else:
        assert result == html


def test_html_with_only_complete_urls_is_not_even_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    import bs4

    monkeypatch.setattr(bs4, "BeautifulSoup", None)  # a parse would fail
    html = (
        '<p><a href="https://altrove.example/">x</a> <img src = "data:image/png;base64,AA">'
        "<a href='mailto:a@example.org'>y</a> <a href=https://senza.virgolette/>z</a></p>"
    )
    assert absolutize_html(html, BASE) is html


def test_plain_text_keeps_structure_and_links() -> None:
    text = html_to_text(
        "<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body>"
        '<div aria-hidden="true">anteprima nascosta</div>'
        "<h1>Titolo</h1><h2>Sezione</h2><h3>Sotto</h3>"
        '<p>Un <a href="https://example.org/a">link</a>, <a href="https://example.org/b">'
        "https://example.org/b</a> e <strong>grassetto</strong>.<!-- commento --></p>"
        '<ul><li>uno</li><li>due <a href="https://example.org/c">c</a></li></ul>'
        '<ol start="3"><li>tre</li><li>quattro</li></ol>'
        "<blockquote><p>Citazione</p><p>Seconda</p></blockquote>"
        '<p><img src="x.png" alt="Un grafico"><img src="y.png" alt=""></p>'
        "<pre>  codice\n    rientrato</pre><hr>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        '<table role="presentation"><tr><td><p>Cella uno</p></td><td>Cella due</td></tr></table>'
        "</body></html>"
    )
    assert text.startswith("Titolo\n======\n\nSezione\n-------\n\nSotto\n\n")
    assert "Un link <https://example.org/a>, https://example.org/b e grassetto." in text
    assert "- uno\n- due c <https://example.org/c>" in text
    assert "3. tre\n4. quattro" in text
    assert "> Citazione\n>\n> Seconda" in text
    assert "[Un grafico]" in text and "[]" not in text
    assert "  codice\n    rientrato" in text
    assert "A | B\n\n1 | 2" in text
    assert "Cella uno\n\nCella due" in text
    for absent in ("anteprima nascosta", "commento", "p{}", "html", "<"):
        assert absent not in text.replace("<https", "").replace("<http", ""), absent


def test_plain_text_wraps_without_breaking_urls() -> None:
    url = "https://example.org/" + "x" * 120
    text = html_to_text(f"<p>{'parola ' * 40}<a href='{url}'>qui</a></p>")
    lines = text.splitlines()
    assert all(len(line) <= 78 for line in lines if url not in line)
    assert f"<{url}>" in text


def test_importing_the_html_helpers_does_not_import_beautifulsoup() -> None:
    import subprocess
    import sys

    probe = "import sys, condividi.feeds.plugin, condividi.newsletter.edition_plugin; "
    probe += "print('bs4' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
