"""``python -m bench.migration --posts 500``: how long importing a real-size WordPress blog takes.

A WordPress export is generated from the benchmark's corpus (:mod:`bench.corpus`: essays of
about 900 words): half the posts as the classic editor stores them (no ``<p>``, blank lines,
``[caption]``, ``[gallery]``, ``[embed]`` and an unknown shortcode), half as Gutenberg blocks;
one attachment per post in a local uploads folder (every sixth missing, as on a real blog),
links between posts, categories and tags, up to eight comments per post (threaded, some
pending or spam), a few drafts. The import, the whole command (posts, media, redirect map,
comments into Isso), runs into a fresh copy of the sample site each round; the median is
printed. Not a test: timings depend on the machine and on what else runs.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import markdown
from PIL import Image

from bench import corpus
from condividi.migrate.wordpress import Options, import_wordpress

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://blog.example.org"
UPLOADS_URL = f"{SITE}/wp-content/uploads"
NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"'
)
_FILENAME_LINK = re.compile(r'href="\{filename\}/articles/(\d{4})-(\d{2})-\d{2}-([^"]+)\.md"')


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _front_matter(source: str) -> tuple[dict[str, str], str]:
    head, body = source.split("\n\n", 1)
    fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
    return fields, body


def _classic(body_html: str, index: int, image: str) -> str:
    """Return a post as the classic editor stores it: paragraphs by blank lines, shortcodes."""
    text = re.sub(r"</?p>", "", body_html).replace("\n", "\n\n")
    parts = text.split("\n\n", 2)
    caption = (
        f'[caption id="attachment_{10000 + index}" align="alignnone" width="300"]'
        f'<img src="{image}" alt="" width="300" height="200" /> Una didascalia[/caption]'
    )
    extra = [caption]
    if index % 5 == 0:
        extra.append(f'[gallery ids="{10000 + index},{10000 + max(index - 1, 0)}"]')
    if index % 7 == 0:
        extra.append(f"[embed]https://www.youtube.com/watch?v=v{index}[/embed]")
    if index % 10 == 0:
        extra.append(f'[contact-form-7 id="{index}" title="Contatti"]')
    return "\n\n".join([parts[0], *extra, *parts[1:]])


def _blocks(body_html: str, image: str) -> str:
    """Return a post as Gutenberg stores it: each block between its comments."""
    names = {"p": "paragraph", "h2": "heading", "ul": "list", "ol": "list", "blockquote": "quote"}
    blocks = []
    for match in re.finditer(r"<(p|h2|ul|ol|blockquote)>.*?</\1>", body_html, re.S):
        name = names[match.group(1)]
        blocks.append(f"<!-- wp:{name} -->\n{match.group(0)}\n<!-- /wp:{name} -->")
    blocks.insert(
        1,
        '<!-- wp:image {"sizeSlug":"large"} -->\n<figure class="wp-block-image size-large">'
        f'<img src="{image}" alt="Una figura"/><figcaption>Una figura</figcaption></figure>\n'
        "<!-- /wp:image -->",
    )
    return "\n\n".join(blocks)


COMMENT = "Un commento.\nCon due righe."


def _comments(rng: random.Random, index: int, when_gmt: str) -> str:
    comments = []
    for number in range(rng.randint(0, 8)):
        comment_id = index * 100 + number + 1
        parent = comment_id - 1 if number and rng.random() < 0.4 else 0
        approved = rng.choices(["1", "0", "spam"], weights=[8, 1, 1])[0]
        comments.append(
            f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
            f"<wp:comment_author>{_cdata(f'Lettore {number}')}</wp:comment_author>"
            f"<wp:comment_author_email>lettore{number}@example.org</wp:comment_author_email>"
            "<wp:comment_author_url></wp:comment_author_url>"
            f"<wp:comment_author_IP>93.45.12.{number}</wp:comment_author_IP>"
            f"<wp:comment_date>{when_gmt}</wp:comment_date>"
            f"<wp:comment_date_gmt>{when_gmt}</wp:comment_date_gmt>"
            f"<wp:comment_content>{_cdata(COMMENT)}</wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved>"
            "<wp:comment_type>comment</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        )
    return "".join(comments)


def generate(folder: Path, count: int) -> tuple[Path, Path]:
    """Write a WordPress export of ``count`` posts and its uploads folder into ``folder``.

    Returns the export's path and the uploads folder.
    """
    staging = folder / "corpus"
    posts = corpus.write_corpus(staging, count)
    uploads = folder / "uploads"
    converter = markdown.Markdown(extensions=["markdown.extensions.extra"])
    items: list[str] = []
    for post in posts:
        rng = random.Random(f"wxr:{post.index}")
        fields, body = _front_matter(post.path.read_text(encoding="utf-8"))
        body_html = converter.reset().convert(body)
        body_html = _FILENAME_LINK.sub(rf'href="{SITE}/\1/\2/\3/"', body_html)
        month = f"{post.date:%Y/%m}"
        image = f"{UPLOADS_URL}/{month}/figura-{post.index}.png"
        if post.index % 6:
            target = uploads / month / f"figura-{post.index}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (4, 3), (post.index % 255, 90, 40)).save(target)
        content = (
            _classic(body_html, post.index, image) if post.index % 2 else _blocks(body_html, image)
        )
        local = post.date.replace(tzinfo=None)
        gmt = (local - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
        status = "draft" if post.index % 25 == 3 else "publish"
        terms = [
            f'<category domain="category" nicename="{corpus.post_slug(post.category)}">'
            f"{_cdata(html.escape(post.category))}</category>"
        ] + [
            f'<category domain="post_tag" nicename="{slug}">{_cdata(tag)}</category>'
            for tag, slug in ((tag, corpus.post_slug(tag)) for tag in post.tags)
        ]
        items.append(
            f"<item><title>{html.escape(post.title)}</title>"
            f"<link>{SITE}/{month}/{post.slug}/</link><dc:creator>giulia</dc:creator>"
            f"<content:encoded>{_cdata(content)}</content:encoded>"
            f"<excerpt:encoded>{_cdata(fields.get('Summary', ''))}</excerpt:encoded>"
            f"<wp:post_id>{post.index + 1}</wp:post_id>"
            f"<wp:post_date>{local:%Y-%m-%d %H:%M:%S}</wp:post_date>"
            f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt>"
            f"<wp:post_name>{post.slug}</wp:post_name><wp:status>{status}</wp:status>"
            "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
            f"<wp:post_type>post</wp:post_type>{''.join(terms)}"
            f"{_comments(rng, post.index + 1, gmt)}</item>"
        )
        items.append(
            f"<item><title>figura-{post.index}</title><link>{SITE}/figura-{post.index}/</link>"
            f"<wp:post_id>{10000 + post.index}</wp:post_id>"
            f"<wp:post_parent>{post.index + 1}</wp:post_parent>"
            "<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
            f"<wp:attachment_url>{image}</wp:attachment_url></item>"
        )
    export = folder / "export.xml"
    export.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NAMESPACES}>\n<channel>'
        f"<title>Blog di prova</title><link>{SITE}</link><language>it-IT</language>"
        f"<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url>"
        + "\n".join(items)
        + "</channel></rss>\n",
        encoding="utf-8",
    )
    shutil.rmtree(staging)
    return export, uploads


def copy_site(destination: Path) -> Path:
    """Copy the sample site's sources into ``destination``; return the settings file."""
    destination.mkdir(parents=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy2(ROOT / name, destination / name)
    for name in ("content", "theme", "plugins"):
        shutil.copytree(
            ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    return destination / "pelicanconf.py"


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the export, import it ``--rounds`` times into fresh copies; print the median."""
    parser = argparse.ArgumentParser(prog="python -m bench.migration", description=__doc__)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="condividi-bench-import-") as temporary:
        folder = Path(temporary)
        export, uploads = generate(folder, args.posts)
        size = export.stat().st_size / 1_000_000
        print(f"bench: a WordPress export of {args.posts} posts ({size:.1f} MB), {export}")
        times = []
        for round_number in range(1, args.rounds + 1):
            settings = copy_site(folder / f"site-{round_number}")
            started = time.perf_counter()
            report = import_wordpress(settings, export, Options(uploads=uploads))
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            print(
                f"bench: round {round_number}: {elapsed:.2f} s, {report.count('new')} files, "
                f"{len(report.media.copies)} media, {len(report.redirects)} redirects, "
                f"{report.comments.comments if report.comments else 0} comments"
                + (" (FAILED)" if report.failed else "")
            )
            if report.failed:
                print(f"bench: isso said: {report.comments_output}", file=sys.stderr)
        median = statistics.median(times)
        print(f"bench: WordPress import of {args.posts} posts: {median:.2f} s (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
