"""Create a new, dated Markdown post with front matter and a transliterated slug."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pelican.utils import slugify

# Pelican's default SLUG_REGEX_SUBSTITUTIONS: slugify() transliterates with unidecode first.
SLUG_SUBSTITUTIONS = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]


def post_slug(title: str) -> str:
    """Return the URL slug of a title, accents transliterated (``Perché`` gives ``perche``)."""
    return slugify(title, regex_subs=SLUG_SUBSTITUTIONS)


def front_matter(title: str, slug: str, when: datetime, lang: str = "it") -> str:
    """Return the Markdown source of a new draft post with its front matter."""
    return (
        f"Title: {title}\n"
        f"Date: {when:%Y-%m-%d %H:%M}\n"
        f"Slug: {slug}\n"
        "Category: Strategia\n"
        "Tags: \n"
        "Summary: \n"
        f"Lang: {lang}\n"
        "Status: draft\n"
        "\n"
        "Scrivi qui il tuo articolo. Quando è pronto, togli la riga `Status: draft`.\n"
    )


def create_post(title: str, content_dir: Path, when: datetime | None = None) -> Path:
    """Write a new post for ``title`` under ``content_dir/articles`` and return its path.

    Raises ``ValueError`` for an empty title (or one with no letters or digits) and
    ``FileExistsError`` rather than overwrite an existing file.
    """
    title = " ".join(title.split())
    slug = post_slug(title)
    if not slug:
        raise ValueError(f"TITLE {title!r} gives an empty slug: use letters or digits")
    when = when or datetime.now().replace(second=0, microsecond=0)
    path = content_dir / "articles" / f"{when:%Y-%m-%d}-{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as post:  # "x": never overwrite
        post.write(front_matter(title, slug, when))
    return path
