"""Responsive images in the benchmark: what a phone downloads, and what the resizing costs.

:func:`add_photos` gives some posts of a corpus three photos each (2000 × 1333 JPEGs, as a
WordPress import brings them; each file unique, so each is resized on its own).
:func:`phone_bytes` reads a built article and adds up the image bytes a 375 px phone fetches,
before (the originals) and after (the copy the browser picks from ``srcset`` and ``sizes``, by
the HTML rules: the narrowest candidate at least as wide as the slot times the pixel density).
:func:`measure_resizing` builds the corpus in fresh processes: images off, images with an empty
image cache (cold), images again (warm), and plain Pelican, so the resizing's cost is a
difference of two builds in the same run.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from bench.builds import Bench, article_path, run_child
from bench.photos import photo_bytes
from condividi.images.markup import parse_srcset

PHOTOS_PER_POST = 3
PHOTO_SIZE = (2000, 1333)
PHONE_WIDTH = 375
REM = 16
_MEDIA = re.compile(r"\(\s*min-width:\s*([\d.]+)(px|rem)\s*\)\s*(.+)")
_CALC = re.compile(r"calc\(\s*100vw\s*-\s*([\d.]+)(px|rem)\s*\)")


def add_photos(content: Path, posts: list[Any], every: int, seed: int = 1) -> list[Any]:
    """Give every ``every``-th of ``posts`` (corpus posts, written in ``content``) three
    photos; return the posts that got them."""
    bases = [photo_bytes(*PHOTO_SIZE, seed=seed + n) for n in range(PHOTOS_PER_POST)]
    folder = content / "images" / "foto"
    folder.mkdir(parents=True, exist_ok=True)
    chosen = posts[::every]
    for post in chosen:
        lines = []
        for number, base in enumerate(bases):
            name = f"{post.slug}-{number + 1}.jpg"
            # Bytes after the JPEG's end are ignored by decoders: same picture, its own hash.
            (folder / name).write_bytes(base + f"condividi-bench {name}".encode())
            lines.append(f"![Foto {number + 1} di {post.title}]({{static}}/images/foto/{name})")
        text = post.path.read_text(encoding="utf-8")
        head, body = text.split("\n\n", 1)
        paragraphs = body.split("\n\n")
        # One photo at the top, one in the middle, one at the end: as essays place them.
        paragraphs.insert(len(paragraphs), lines[2])
        paragraphs.insert(len(paragraphs) // 2, lines[1])
        paragraphs.insert(1, lines[0])
        post.path.write_text(head + "\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    return chosen


def _length(value: str, viewport: int) -> float | None:
    value = value.strip()
    if value.endswith("px"):
        return float(value[:-2])
    if value.endswith("vw"):
        return float(value[:-2]) * viewport / 100
    match = _CALC.fullmatch(value)
    if match:
        offset = float(match.group(1)) * (REM if match.group(2) == "rem" else 1)
        return viewport - offset
    return None


def slot_width(sizes: str, viewport: int) -> float:
    """Return the width ``sizes`` gives an image at a ``viewport`` CSS pixels wide (the
    ``(min-width: …) length`` and plain ``px``, ``vw``, ``calc(100vw - …)`` forms)."""
    for part in sizes.split(","):
        part = part.strip()
        match = _MEDIA.fullmatch(part)
        if match:
            minimum = float(match.group(1)) * (REM if match.group(2) == "rem" else 1)
            if viewport >= minimum:
                return _length(match.group(3), viewport) or viewport
            continue
        width = _length(part, viewport)
        if width is not None:
            return width
    return float(viewport)


def chosen_url(srcset: str, sizes: str, viewport: int, density: float) -> str | None:
    """Return the candidate of ``srcset`` a browser picks for the slot ``sizes`` gives at
    ``viewport`` and ``density``: the narrowest wide enough, else the widest."""
    candidates = sorted(parse_srcset(srcset), key=lambda item: item[1])
    if not candidates:
        return None
    needed = slot_width(sizes, viewport) * density
    return next((url for url, width in candidates if width >= needed), candidates[-1][0])


def _file(output: Path, url: str) -> Path:
    return output / urlsplit(url).path.lstrip("/")


def phone_bytes(output: Path, slug: str, density: float = 2.0) -> dict[str, Any]:
    """Return the image bytes the article ``slug`` costs a 375 px phone at ``density``: with
    the originals (before) and with the copies its ``<picture>`` elements offer (after)."""
    page = BeautifulSoup(
        (output / article_path("condividi", slug)).read_text(encoding="utf-8"), "html.parser"
    )
    before = after = 0
    picked = []
    for picture in page.select(".post-body picture"):
        img = picture.find("img")
        original = max(parse_srcset(img["srcset"]), key=lambda item: item[1])[0]
        source = picture.find("source", type="image/webp")
        offer = source if source is not None else img
        url = chosen_url(offer["srcset"], offer["sizes"], PHONE_WIDTH, density)
        largest_original = _original_file(output, original)
        before += largest_original.stat().st_size
        after += _file(output, url).stat().st_size
        picked.append(urlsplit(url).path.rsplit("/", 1)[-1])
    return {
        "photos": len(picked),
        "viewport": PHONE_WIDTH,
        "density": density,
        "before_bytes": before,
        "after_bytes": after,
        "ratio": after / before if before else None,
        "picked": picked,
    }


def _original_file(output: Path, url: str) -> Path:
    """Return the original of a copy's URL: ``images/sizes/<stem>-<w>.<hash>.jpg`` is a copy
    of ``images/**/<stem>.jpg``; a URL outside ``images/sizes`` is the original already."""
    path = _file(output, url)
    if path.parent.name != "sizes":
        return path
    stem = path.name.rsplit("-", 1)[0]
    found = sorted((output / "images").rglob(f"{stem}.*"))
    return next(p for p in found if p.parent.name != "sizes")


def _build(bench: Bench, label: str, output: Path, cache: Path, extra: dict[str, Any]) -> float:
    args, log = bench.command("condividi", label, output, cache)
    overrides = Path(args[3])
    settings = json.loads(overrides.read_text(encoding="utf-8"))
    overrides.write_text(json.dumps({**settings, **extra}), encoding="utf-8")
    build = run_child(args, cache, log, label, "condividi")
    bench.builds.append(build)
    return build.seconds


def measure_resizing(
    content: Path, work: Path, sample_slug: str, photos: int, rounds: int = 1
) -> dict[str, Any]:
    """Build ``content`` (which holds ``photos`` photos) four ways and return the seconds:
    images off, cold (no cached copy), warm (every copy cached), plain Pelican; with the
    phone's download of ``sample_slug`` (a post with photos) at densities 2 and 3."""
    bench = Bench(content, work)
    cache = work / "cache"
    off_cache = work / "cache-off"
    # First builds fill the social cards' caches, which are not what is measured here.
    _build(bench, "warmup-off", work / "out", off_cache, {"IMAGES_ENABLED": False})
    shutil.copytree(off_cache, cache)
    shutil.rmtree(work / "out")
    off, warm, plain = [], [], []
    cold = _build(bench, "images-cold", work / "out", cache, {})
    for number in range(rounds):
        shutil.rmtree(work / "out")
        warm.append(_build(bench, f"images-warm-{number}", work / "out", cache, {}))
        off.append(
            _build(bench, f"off-{number}", work / "out-off", off_cache, {"IMAGES_ENABLED": False})
        )
        shutil.rmtree(work / "out-off")
        pelican_out = work / "out-pelican"
        plain.append(bench.build("pelican", f"pelican-{number}", pelican_out, work / "cp").seconds)
        shutil.rmtree(pelican_out)
    off_s, warm_s, plain_s = (sorted(v)[len(v) // 2] for v in (off, warm, plain))
    copies = sum(1 for _ in (work / "out" / "images" / "sizes").glob("*"))
    return {
        "photos": photos,
        "copies": copies,
        "images_off_seconds": off_s,
        "cold_seconds": cold,
        "warm_seconds": warm_s,
        "pelican_seconds": plain_s,
        "cold_cost_seconds": cold - off_s,
        "warm_cost_seconds": warm_s - off_s,
        "cold_cost_ratio": (cold - off_s) / plain_s,
        "warm_cost_ratio": (warm_s - off_s) / plain_s,
        "cold_seconds_per_photo": (cold - off_s) / photos if photos else None,
        "phone": [phone_bytes(work / "out", sample_slug, density) for density in (2.0, 3.0)],
    }
