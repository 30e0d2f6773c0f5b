"""The theme's stylesheets and scripts: minified at build time, the scripts as one bundle."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from condividi.assets import BUNDLE, BUNDLE_PARTS, bundle, minify, minify_static
from tests.conftest import ROOT

STATIC = ROOT / "theme" / "static"


def test_minify_drops_comments_and_whitespace_but_keeps_strings() -> None:
    css = '/* a note */\nbody {\n  color: red;\n  content: "a  b";\n}\n'
    assert minify(".css", css) == 'body{color:red;content:"a  b"}\n'
    with pytest.raises(ValueError, match=r"'\.html'"):
        minify(".html", "<p>")


def test_scripts_get_short_local_names_and_keep_the_global_ones() -> None:
    js = (
        "// why\n(function () {\n  var message = 'a  /* b */';\n"
        "  window.shown = message;\n  return document.title + message;\n})();\n"
    )
    assert minify(".js", js) == (
        "(function(){var a='a  /* b */';window.shown=a;return document.title+a})()\n"
    )


def test_a_script_in_newer_syntax_is_still_minified_and_named_in_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    js = "const double = (value) => {\n  return value * 2; // twice\n};\n"
    with caplog.at_level(logging.WARNING, logger="condividi.assets"):
        assert (
            minify(".js", js, name="js/modern.js") == "const double=(value)=>{return value*2;};\n"
        )
    assert "js/modern.js is not ES5" in caplog.text


def test_results_are_cached_by_content(tmp_path: Path) -> None:
    js = "(function () {\n  var later = 1;\n  window.x = later;\n})();\n"
    first = minify(".js", js, tmp_path)
    (cached,) = tmp_path.iterdir()
    assert cached.read_text("utf-8") == first
    cached.write_text("/* from the cache */\n", "utf-8")  # a hit is read, not recomputed
    assert minify(".js", js, tmp_path) == "/* from the cache */\n"
    assert minify(".js", js + "\n", tmp_path) == first  # other content: another entry
    assert len(list(tmp_path.iterdir())) == 2


def test_bundle_keeps_each_part_a_statement_of_its_own() -> None:
    # A part ending without ";" followed by one starting with "(" would otherwise call it.
    assert bundle(["var a = 1\n", "(function () {})()"]) == "var a = 1;\n(function () {})();\n"


def test_minify_static_rewrites_the_files_and_writes_the_bundle(tmp_path: Path) -> None:
    root = tmp_path / "theme"
    (root / "js").mkdir(parents=True)
    (root / "css").mkdir()
    (root / "icons").mkdir()
    (root / "css/site.css").write_text("a {\n  color: red;\n}\n", "utf-8")
    (root / "js/share.js").write_text("// share\nvar share = 1;\n", "utf-8")
    (root / "js/newsletter.js").write_text("var newsletter = 2; /* form */\n", "utf-8")
    (root / "js/extra.js").write_text("var extra   = 3;\n", "utf-8")
    (root / "icons/favicon.svg").write_text("<svg>\n  <path/>\n</svg>\n", "utf-8")

    written = minify_static(root, tmp_path / "cache")

    assert written[-1] == root / BUNDLE
    assert (root / "css/site.css").read_text("utf-8") == "a{color:red}\n"
    assert (root / "js/extra.js").read_text("utf-8") == "var extra=3\n"
    assert (root / "icons/favicon.svg").read_text("utf-8") == "<svg>\n  <path/>\n</svg>\n"
    # The parts the theme has, in the bundle's order; comments.js is missing here.
    assert (root / BUNDLE).read_text("utf-8") == "var share=1;\nvar newsletter=2;\n"


def test_the_published_site_serves_the_minified_forms(sample_output: Path) -> None:
    css = (sample_output / "theme/css/site.css").read_text("utf-8")
    source_css = (STATIC / "css/site.css").read_text("utf-8")
    assert css == minify(".css", source_css)
    assert len(css) < 0.9 * len(source_css)
    for part in (*BUNDLE_PARTS, "js/comments-embed.js"):
        served = (sample_output / "theme" / part).read_text("utf-8")
        source = (STATIC / part).read_text("utf-8")
        assert served == minify(".js", source)
        assert "\n  " not in served and "/*" not in served
        assert len(served) < 0.7 * len(source)
    expected = bundle(minify(".js", (STATIC / part).read_text("utf-8")) for part in BUNDLE_PARTS)
    assert (sample_output / "theme" / BUNDLE).read_text("utf-8") == expected


@pytest.mark.parametrize("part", [*BUNDLE_PARTS, "js/comments-embed.js", BUNDLE])
def test_every_published_script_parses(sample_output: Path, part: str) -> None:
    """Node checks the syntax of what the browser gets (the browser tests run it)."""
    node = subprocess.run(
        ["node", "--check", str(sample_output / "theme" / part)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert node.returncode == 0, node.stderr
