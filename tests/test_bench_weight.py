"""The benchmark's page-weight calculator, on a small hand-made site."""

from __future__ import annotations

from pathlib import Path

from bench.weight import gzip_size, page_url, page_weight, url_to_file

SITE = "https://blog.example.org"

PAGE = """<!DOCTYPE html>
<html lang="it"><head>
<link rel="stylesheet" href="https://blog.example.org/theme/css/site.css">
<link rel="stylesheet" href="../theme/css/site.css">
<link rel="icon" href="/theme/icons/favicon.svg">
<link rel="preload" href="/theme/js/share.js" as="script">
<link rel="alternate" type="application/atom+xml" href="/feeds/atom.xml">
<link rel="canonical" href="https://blog.example.org/saggio/">
<script defer src="/theme/js/share.js"></script>
<script src="https://commenti.example.org/js/embed.min.js"></script>
<script type="application/ld+json">{"@type": "BlogPosting"}</script>
</head><body>
<img src="../images/foto.png" alt="Foto">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<img src="/images/manca.png" alt="Manca">
<a href="/altro-saggio/">un link non si carica</a>
<svg aria-hidden="true"><use href="/theme/icons/share.svg#facebook"/></svg>
<svg aria-hidden="true"><use href="/theme/icons/share.svg#email"/></svg>
<svg aria-hidden="true"><use xlink:href="#locale"/></svg>
<template id="dopo"><script src="/theme/js/isso-it.js"></script>
<img src="/images/foto-2.png" alt=""></template>
</body></html>
"""

SITE_CSS = """/* url(commentato.png) non conta */
@import url("base.css");
@font-face { font-family: Serif; src: url("../fonts/serif.woff2") format("woff2"),
  url("../fonts/serif.woff") format("woff"); }
body { background: url('../images/sfondo.svg'); }
.icon { background: url(data:image/svg+xml;base64,AAAA); }
"""
BASE_CSS = "html { color: black; }\n"
SHARE_JS = "document.documentElement.classList.add('js');\n"


def write(path: Path, data: str | bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = data.encode("utf-8") if isinstance(data, str) else data
    path.write_bytes(content)
    return content


def test_weight_follows_what_the_page_loads(tmp_path: Path) -> None:
    out = tmp_path / "output"
    html = write(out / "saggio" / "index.html", PAGE)
    css = write(out / "theme/css/site.css", SITE_CSS)
    base = write(out / "theme/css/base.css", BASE_CSS)
    js = write(out / "theme/js/share.js", SHARE_JS)
    icon = write(out / "theme/icons/favicon.svg", b"<svg/>")
    photo = write(out / "images/foto.png", b"\x89PNG" + bytes(500))
    font = write(out / "theme/fonts/serif.woff2", bytes(300))
    write(out / "theme/fonts/serif.woff", bytes(400))  # a second format: the browser skips it
    background = write(out / "theme/images/sfondo.svg", b"<svg></svg>")
    sprite = write(out / "theme/icons/share.svg", b"<svg><symbol id='facebook'/></svg>")
    write(out / "feeds/atom.xml", "<feed/>")
    write(out / "theme/js/isso-it.js", "/* loaded later, by a script, if ever */")
    write(out / "images/foto-2.png", bytes(50))

    weight = page_weight(out, out / "saggio" / "index.html", SITE)

    assert weight.page == "https://blog.example.org/saggio/"
    kinds = {r.url.removeprefix(SITE): r.kind for r in weight.resources}
    assert kinds == {
        "/saggio/": "html",
        "/theme/css/site.css": "css",
        "/theme/icons/favicon.svg": "image",
        "/theme/js/share.js": "js",
        "/images/foto.png": "image",
        "/theme/css/base.css": "css",
        "/theme/fonts/serif.woff2": "font",
        "/theme/images/sfondo.svg": "image",
        "/theme/icons/share.svg": "image",
    }
    # Duplicates and a sprite's symbols once; feeds, links, data: URLs, in-page symbols and
    # what an inert <template> holds are not loaded.
    assert weight.requests == 9
    text = [html, css, base, js]
    assert weight.total() == sum(len(part) for part in text)
    assert weight.total(gzipped=True) == sum(gzip_size(part) for part in text)
    assert weight.by_kind()["image"] == len(icon) + len(photo) + len(background) + len(sprite)
    assert weight.by_kind()["font"] == len(font)
    assert weight.other_origin == ["https://commenti.example.org/js/embed.min.js"]
    assert weight.missing == ["https://blog.example.org/images/manca.png"]
    report = weight.as_dict()
    assert report["html_css_js_bytes"] == weight.total() and report["requests"] == 9


def test_gzip_is_smaller_for_repetitive_text() -> None:
    data = b"<p>parola</p>" * 200
    assert 0 < gzip_size(data) < len(data) // 10
    assert gzip_size(data) == gzip_size(data)  # no timestamp in the header


def test_urls_map_to_output_files_under_a_site_path(tmp_path: Path) -> None:
    site = "https://example.org/blog"
    assert url_to_file("https://example.org/blog/", tmp_path, site) == tmp_path / "index.html"
    assert url_to_file("https://example.org/blog/a%20b/", tmp_path, site) == (
        tmp_path / "a b" / "index.html"
    )
    assert url_to_file("https://example.org/other/x.css", tmp_path, site) is None
    assert url_to_file("http://example.org/blog/x.css", tmp_path, site) is None
    assert url_to_file("https://cdn.example.org/blog/x.css", tmp_path, site) is None
    assert page_url(tmp_path, tmp_path / "post" / "index.html", site) == (
        "https://example.org/blog/post/"
    )
    assert page_url(tmp_path, tmp_path / "post.html", site + "/") == (
        "https://example.org/blog/post.html"
    )
