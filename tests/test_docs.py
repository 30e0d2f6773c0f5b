"""The README and the guides in docs/: every relative link resolves, the README stays a page.

Links are read with markdown-it-py, a CommonMark parser (GitHub renders Markdown as CommonMark
plus tables), so a link inside a code span or block is not a link, reference-style links are
resolved as GitHub resolves them, and HTML in the Markdown is read with an HTML parser.
"""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_BYTES = 8000


def markdown_tokens(text: str) -> tuple[list[Token], dict]:
    """Parses Markdown as GitHub does (CommonMark and tables); returns the tokens and the
    parser's env, whose ``references`` holds every reference-style link definition."""
    env: dict = {}
    tokens = MarkdownIt("commonmark").enable("table").parse(text, env)
    return tokens, env


def _flat(tokens: list[Token]) -> list[Token]:
    """Block tokens followed by each inline token's children, in document order."""
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        flat.extend(token.children or [])
    return flat


class _HtmlAttributes(HTMLParser):
    """Collects the values of chosen attributes from a fragment of HTML."""

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.names = names
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values.extend(value for name, value in attrs if name in self.names and value)

    handle_startendtag = handle_starttag


def html_attributes(html: str, names: frozenset[str]) -> list[str]:
    """Takes a fragment of HTML and attribute names; returns those attributes' values."""
    parser = _HtmlAttributes(names)
    parser.feed(html)
    parser.close()
    return parser.values


def link_targets(text: str) -> list[str]:
    """Takes Markdown; returns every link and image target in it, in order: inline and
    reference-style links and images, every reference definition (used or not), and the
    ``href`` and ``src`` of HTML written in the Markdown. Code spans and blocks hold none."""
    tokens, env = markdown_tokens(text)
    targets: list[str] = []
    for token in _flat(tokens):
        if token.type == "link_open":
            targets.append(str(token.attrs["href"]))
        elif token.type == "image":
            targets.append(str(token.attrs["src"]))
        elif token.type in ("html_block", "html_inline"):
            targets.extend(html_attributes(token.content, frozenset({"href", "src"})))
    targets.extend(ref["href"] for ref in env.get("references", {}).values())
    return list(dict.fromkeys(targets))


def github_slug(heading: str) -> str:
    """Takes a heading's text; returns its anchor as GitHub makes it: lowercase, punctuation and
    symbols removed except ``-`` and ``_``, each space a ``-``; letters of any script kept."""
    kept = (
        char for char in heading.lower() if char in " -_" or unicodedata.category(char)[0] in "LMN"
    )
    return "".join(kept).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Takes Markdown; returns the anchors a link may point at: each heading's GitHub slug
    (a repeated one gets ``-1``, ``-2``, ... as on GitHub) and each HTML ``id`` or ``name``."""
    tokens, _ = markdown_tokens(text)
    found: set[str] = set()
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            words = (
                child.content
                for child in tokens[index + 1].children or []
                if child.type in ("text", "code_inline")
            )
            slug = github_slug("".join(words).strip())
            repeats = seen.get(slug, 0)
            seen[slug] = repeats + 1
            found.add(f"{slug}-{repeats}" if repeats else slug)
    for token in _flat(tokens):
        if token.type in ("html_block", "html_inline"):
            found.update(html_attributes(token.content, frozenset({"id", "name"})))
    return found


def broken_links(markdown_file: Path, root: Path) -> list[str]:
    """Takes a Markdown file inside ``root``; returns a message for each relative link in it
    that names a missing file, leaves ``root``, or points at an anchor its target Markdown file
    does not have. Links with a scheme or a host (``https:``, ``mailto:``, ``//``) are skipped."""
    problems: list[str] = []
    root = root.resolve()
    for target in link_targets(markdown_file.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        path = unquote(parts.path)
        if not path:
            resolved = markdown_file.resolve()
        elif path.startswith("/"):
            resolved = (root / path.lstrip("/")).resolve()
        else:
            resolved = (markdown_file.parent / path).resolve()
        where = f"{markdown_file.relative_to(root)}: {target}"
        if not resolved.is_relative_to(root):
            problems.append(f"{where}: leaves the repository")
        elif not resolved.exists():
            problems.append(f"{where}: no such file")
        elif parts.fragment and resolved.suffix == ".md":
            anchor = unquote(parts.fragment)
            if anchor not in anchors(resolved.read_text(encoding="utf-8")):
                problems.append(f"{where}: no heading #{anchor} in {resolved.relative_to(root)}")
    return problems


def documentation_files() -> list[Path]:
    """The README and every guide in docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    problems = [problem for file in documentation_files() for problem in broken_links(file, ROOT)]
    assert not problems, "\n".join(problems)


def test_the_checker_reports_missing_files_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# Guide\n\n## Settings\n\n## Settings\n\n## Perché `make serve`\n", encoding="utf-8"
    )
    (tmp_path / "img.png").write_bytes(b"")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n"
        "[fine](docs/guide.md#settings-1) [fine too](docs/guide.md#perché-make-serve)\n"
        "[here](#title) [elsewhere](https://example.org/missing.md) [mail](mailto:a@b.org)\n"
        "[missing file](docs/missing.md) [missing anchor](docs/guide.md#nowhere)\n"
        '[reference][ref] `[in code](code.md)` <a href="html.md">html</a> '
        '<img src="img.png" alt=""> ![image](gone.png) [out](../outside.md) [self](#nope)\n\n'
        "    [indented code](block.md)\n\n"
        "[ref]: docs/gone.md\n",
        encoding="utf-8",
    )

    problems = broken_links(readme, tmp_path)

    assert problems == [
        "README.md: docs/missing.md: no such file",
        "README.md: docs/guide.md#nowhere: no heading #nowhere in docs/guide.md",
        "README.md: docs/gone.md: no such file",
        "README.md: html.md: no such file",
        "README.md: gone.png: no such file",
        "README.md: ../outside.md: leaves the repository",
        "README.md: #nope: no heading #nope in README.md",
    ]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Entry ids: the rule", "entry-ids-the-rule"),
        ("WebSub (FeedBurner's PingShot)", "websub-feedburners-pingshot"),
        ("Sending each new post, exactly once", "sending-each-new-post-exactly-once"),
        ("Perché make_serve è più veloce?", "perché-make_serve-è-più-veloce"),
        ("A — B", "a--b"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_anchors_come_from_headings_and_html_ids() -> None:
    text = '# One\n\n## Settings\n\n## Settings\n\n<a id="kept"></a>\n\n```\n# not a heading\n```\n'
    assert anchors(text) == {"one", "settings", "settings-1", "kept"}


def test_the_readme_is_a_page_that_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    assert size < README_MAX_BYTES, (
        f"README.md is {size} bytes: keep it a page, move the rest to docs/"
    )
    tokens, _ = markdown_tokens(text)
    sections = [
        (tokens[index + 1].content, index)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]
    assert sections[0][0] == "The two commands"
    first_section = tokens[sections[0][1] : sections[1][1]]
    fences = [token.content for token in first_section if token.type == "fence"]
    assert fences and "make serve" in fences[0] and "make test" in fences[0]


def test_the_docs_index_and_the_readme_link_every_guide() -> None:
    guides = {path.name for path in DOCS.glob("*.md")} - {"README.md"}
    for index in (DOCS / "README.md", README):
        linked = {
            Path(urlsplit(target).path).name
            for target in link_targets(index.read_text(encoding="utf-8"))
            if not urlsplit(target).scheme
        }
        missing = sorted(guides - linked)
        assert not missing, f"{index.relative_to(ROOT)} does not link {missing}"
