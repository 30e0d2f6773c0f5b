"""The size of the newsletter's email editions, found among the files a build wrote.

The newsletter renders each post's email edition at build time as a preview file in the output.
The benchmark does not need to know where: an email edition is the one kind of HTML page that
carries inlined CSS (``style=""`` attributes, from css-inline) and links no stylesheet, which a
page of the site never does (its strict Content-Security-Policy forbids inline styles). Saved
messages (``.eml``) count too. ``--email-glob`` names the previews explicitly instead.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

_STYLE_ATTRIBUTE = b'style="'
_STYLESHEET_LINKS = (b'rel="stylesheet"', b"rel=stylesheet", b"rel='stylesheet'")


def looks_like_edition(data: bytes) -> bool:
    """Tell whether an HTML document looks like an email: inlined CSS and no stylesheet link."""
    lowered = data.lower()
    return _STYLE_ATTRIBUTE in lowered and not any(link in lowered for link in _STYLESHEET_LINKS)


def find_editions(output: Path, pattern: str | None = None) -> list[Path]:
    """Return the email edition files in ``output``: those matching ``pattern`` when given,
    otherwise every ``.eml`` file and every HTML file that :func:`looks_like_edition`."""
    if pattern:
        return sorted(path for path in output.glob(pattern) if path.is_file())
    found = sorted(output.rglob("*.eml"))
    for page in sorted(output.rglob("*.html")):
        if looks_like_edition(page.read_bytes()):
            found.append(page)
    return found


def edition_sizes(
    output: Path, sample_slug: str, plugins: list[str], pattern: str | None = None
) -> dict[str, Any]:
    """Return the sizes of the editions in ``output``, or why they could not be measured.

    The result has ``count``, ``median_bytes``, ``max_bytes`` and the largest file, and the
    size of the edition of the post ``sample_slug`` when one of the files' paths names it; or a
    single ``not_measured`` reason naming what is missing (the newsletter plugin, or previews).
    """
    editions = find_editions(output, pattern)
    if not editions:
        newsletter = [name for name in plugins if "newsletter" in name]
        if not newsletter:
            return {
                "not_measured": "no email edition: no newsletter plugin in PLUGINS "
                f"({', '.join(plugins) or 'none'}), so nothing renders one"
            }
        how = f"matching {pattern!r}" if pattern else "(HTML with inlined CSS, or .eml)"
        return {
            "not_measured": f"{', '.join(newsletter)} is in PLUGINS but the build wrote no "
            f"email edition preview {how}; pass --email-glob to point at them"
        }
    sizes = {path: path.stat().st_size for path in editions}
    largest = max(sizes, key=sizes.__getitem__)
    result: dict[str, Any] = {
        "count": len(editions),
        "median_bytes": int(statistics.median(sizes.values())),
        "max_bytes": sizes[largest],
        "largest": str(largest.relative_to(output)),
    }
    sample = [path for path in editions if sample_slug in path.relative_to(output).as_posix()]
    if sample:
        result["sample"] = str(sample[0].relative_to(output))
        result["sample_bytes"] = sizes[sample[0]]
    return result
