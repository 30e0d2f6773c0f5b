"""Pelican glue for responsive images: settings checked at start, then every written article
and page has its content images turned into ``<picture>`` elements with resized copies.

It runs in ``all_generators_finalized``: every post has been read, static files are known
(``static_content``) and no page has been written yet, nor any post's ``content`` worked out,
so the feeds, the email editions and the pages all see the same rewritten HTML. The copies are
drawn (on ``IMAGES_WORKERS`` threads) only when the cache under ``CACHE_PATH/images`` lacks
them, and linked into the output at once, so the pages of a quick preview build find them.
"""

from __future__ import annotations

import logging
import posixpath
import re
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pelican import signals

from condividi.filecache import publish_file
from condividi.images.config import ImagesConfig, images_config
from condividi.images.markup import Candidate, Responsive, parse_attributes, rewrite_images
from condividi.images.variants import (
    FORMATS,
    MIME_TYPES,
    ImageFileError,
    SourceImage,
    SourceIndex,
    Variant,
    VariantCache,
    plan_widths,
    render_variants,
    variant,
)
from condividi.theme import site_content, site_path

log = logging.getLogger(__name__)

# The files a page needs besides itself that a build placed in its output, by their path in
# the output folder: a quick preview build (which writes only some pages) places them too.
SIDE_FILES = "CONDIVIDI_SIDE_FILES"
_LINK_PREFIX = re.compile(r"^\{(static|attach|filename)\}")
_IMG_SRC = re.compile(r"<img\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.IGNORECASE)


@dataclass
class _Image:
    """One content image of the site: its source, the copies it needs, its candidates."""

    source: SourceImage
    url: str  # the original's URL on the site
    variants: list[Variant] = field(default_factory=list)
    responsive: Responsive | None = None


def locate(src: str, content_source: str, page_url: str, siteurl: str) -> str | None:
    """Return the path under the content folder that the image address ``src`` names.

    Takes ``src`` as written in a post (``{static}/images/a.jpg``, ``{static}a.jpg`` beside
    the post, ``/images/a.jpg``, ``SITEURL/images/a.jpg`` or ``a.jpg`` beside the page), the
    post's source path relative to the content folder, the page's URL and ``SITEURL``.
    Returns a normalised relative path to look up among the static files; None for an
    address elsewhere (another host, ``data:``).
    """
    src = src.strip()
    match = _LINK_PREFIX.match(src)
    if match:
        path = src[match.end() :].split("?", 1)[0].split("#", 1)[0]
        if not path.startswith("/"):
            path = posixpath.join(posixpath.dirname(content_source), path)
        return posixpath.normpath(unquote(path).lstrip("/"))
    parts = urlsplit(src)
    site = urlsplit(siteurl)
    if (parts.scheme or parts.netloc) and (parts.scheme, parts.netloc) != (
        site.scheme,
        site.netloc,
    ):
        return None
    path = unquote(parts.path)
    if not path:
        return None
    if path.startswith("/"):
        prefix = site.path.rstrip("/")
        if prefix and not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix) :]
    else:
        path = posixpath.join(posixpath.dirname("/" + page_url), path)
    return posixpath.normpath(path.lstrip("/"))


def copy_name(source: SourceImage, item: Variant) -> str:
    """Return the file name of a copy: ``<stem>-<width>.<hash>.<suffix>``, unique by content."""
    stem = Path(source.path).stem
    return f"{stem}-{item.width}.{item.key[:10]}{item.suffix}"


def plan_image(source: SourceImage, config: ImagesConfig) -> list[Variant]:
    """Return the copies ``source`` needs: each planned width in WebP (when on and the image
    is not WebP) and in its own format, except its own format at its own width (the
    original itself)."""
    qualities = {"JPEG": config.jpeg_quality, "PNG": 0, "WEBP": config.webp_quality}
    items = []
    for width in plan_widths(source.width, config.widths):
        if config.webp and source.format != "WEBP":
            items.append(variant(source, "WEBP", width, qualities["WEBP"]))
        if width != source.width:
            items.append(variant(source, source.format, width, qualities[source.format]))
    return items


def responsive_for(image: _Image, base: str, output_dir: str, widths: Iterable[int]) -> Responsive:
    """Return the :class:`Responsive` candidates of ``image``, its copies served from
    ``base``/``output_dir`` (``base`` is the site's path, ``""`` at a host's root); the
    original itself is the widest fallback when it is not wider than the largest of
    ``widths``."""
    source = image.source
    folder = f"{base}/{output_dir.strip('/')}"
    fallback: list[Candidate] = []
    webp: list[Candidate] = []
    for item in image.variants:
        candidate = Candidate(f"{folder}/{quote(copy_name(source, item))}", item.width, item.height)
        if item.format == source.format:
            fallback.append(candidate)
        else:
            webp.append(candidate)
    if source.width in plan_widths(source.width, widths):
        fallback.append(Candidate(image.url, source.width, source.height))
    fallback.sort(key=lambda candidate: candidate.width)
    webp.sort(key=lambda candidate: candidate.width)
    return Responsive(tuple(fallback), MIME_TYPES[source.format], tuple(webp))


class ImageStep:
    """One build's work on its content images: find, plan, draw the missing copies, publish."""

    def __init__(self, settings: Mapping[str, Any], context: dict[str, Any]) -> None:
        self.config = images_config(settings)
        self.siteurl = str(settings.get("SITEURL") or "").rstrip("/")
        self.base = site_path(self.siteurl)
        self.content_root = Path(settings["PATH"])
        self.output = Path(settings["OUTPUT_PATH"])
        cache_folder = Path(settings["CACHE_PATH"]) / "images"
        self.cache = VariantCache(cache_folder)
        self.index = SourceIndex(cache_folder / "sources.json")
        self.static: Mapping[str, Any] = context.get("static_content", {})
        self.images: dict[str, _Image | None] = {}  # by path under the content folder
        self.side_files: dict[str, str] = context.setdefault(SIDE_FILES, {})
        self.errors = 0

    def image(self, relative: str, where: str) -> _Image | None:
        """Return the site image at ``relative`` (under the content folder), or None when it
        is not one to resize (not a published static file, GIF, SVG, unreadable)."""
        if relative in self.images:
            return self.images[relative]
        found: _Image | None = None
        static = self.static.get(relative)
        if static is not None and Path(relative).suffix.lower() in FORMATS:
            try:
                source = self.index.get(Path(static.source_path))
            except (ImageFileError, OSError) as error:
                log.error("images: %s: %s", where, error)
                self.errors += 1
            else:
                url = f"{self.base}/{static.url}"
                found = _Image(source, url, plan_image(source, self.config))
        self.images[relative] = found
        return found

    def gather(self, contents: Iterable[Any]) -> list[Any]:
        """Find the images of ``contents``; return the contents that show at least one."""
        showing = []
        for content in contents:
            html = content._content or ""
            if "<img" not in html and "<IMG" not in html:
                continue
            source_path = content.get_relative_source_path()
            any_image = False
            for match in _IMG_SRC.finditer(html):
                src = parse_attributes(match.group("attributes")).get("src")
                relative = src and locate(src, source_path, content.url, self.siteurl)
                if relative and self.image(relative, f"{source_path}: image {src!r}"):
                    any_image = True
            if any_image:
                showing.append(content)
        return showing

    def draw(self) -> int:
        """Draw every copy the cache lacks, on ``IMAGES_WORKERS`` threads; return how many."""
        work = []
        for image in self.images.values():
            if image is not None:
                missing = self.cache.missing(image.variants)
                if missing:
                    work.append((image.source, missing))
        qualities = {
            "JPEG": self.config.jpeg_quality,
            "PNG": 0,
            "WEBP": self.config.webp_quality,
        }

        def draw_one(job: tuple[SourceImage, list[Variant]]) -> int:
            source, missing = job
            made = render_variants(Path(source.path), missing, qualities)
            for item in missing:
                self.cache.put(item, made[item.key])
            return len(missing)

        if len(work) > 1 and self.config.workers > 1:
            with ThreadPoolExecutor(max_workers=self.config.workers) as pool:
                return sum(pool.map(draw_one, work))
        return sum(map(draw_one, work))

    def publish(self) -> None:
        """Link every copy into the output folder and work out each image's candidates."""
        folder = self.config.output_dir.strip("/")
        target = self.output / folder
        target.mkdir(parents=True, exist_ok=True)
        for image in self.images.values():
            if image is None:
                continue
            original = Path(image.source.path).stat().st_size
            useful = []
            for item in image.variants:
                cached = self.cache.path(item)
                if cached.stat().st_size >= original:
                    continue  # a smaller picture that weighs more (a flat-colour PNG): no use
                name = copy_name(image.source, item)
                publish_file(cached, target / name)
                self.side_files[f"{folder}/{name}"] = str(cached)
                useful.append(item)
            image.responsive = responsive_for(
                _Image(image.source, image.url, useful), self.base, folder, self.config.widths
            )

    def rewrite(self, content: Any) -> None:
        """Turn the images of ``content`` into ``<picture>`` elements (its ``_content``)."""
        source_path = content.get_relative_source_path()
        page_url = content.url

        def resolve(src: str) -> Responsive | None:
            relative = locate(src, source_path, page_url, self.siteurl)
            image = self.images.get(relative) if relative else None
            return image.responsive if image else None

        content._content = rewrite_images(
            content._content, resolve, self.config.sizes, self.config.eager
        )


def on_initialized(pelican: Any) -> None:
    """Check the ``IMAGES_*`` settings as the build starts."""
    images_config(pelican.settings)


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Give every written article's and page's content images their resized copies."""
    if not generators:
        return
    settings = generators[0].settings
    if not images_config(settings).enabled:
        return
    started = time.perf_counter()
    step = ImageStep(settings, generators[0].context)
    contents = [content for content in site_content(generators) if content.save_as]
    showing = step.gather(contents)
    drawn = step.draw()
    step.publish()
    for content in showing:
        step.rewrite(content)
    step.index.save()
    images = sum(1 for image in step.images.values() if image is not None)
    log.info(
        "images: %d images in %d pages; %d copies drawn, the others from the cache (%.2f s)",
        images,
        len(showing),
        drawn,
        time.perf_counter() - started,
    )


def register() -> None:
    """Connect the images capability to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
