"""The media of a WordPress blog: which URLs are uploads, and where they go on our site.

WordPress keeps uploads under ``<site>/wp-content/uploads/<yyyy>/<mm>/<name>`` (a blog on
WordPress.com under ``<blog>.files.wordpress.com/<yyyy>/<mm>/<name>``; Jetpack's image CDN
``i0.wp.com/<site>/wp-content/uploads/...``). An upload the author has locally (the
``wp-content/uploads`` folder, ``--uploads``) is copied to ``content/images/<yyyy>/<mm>/<name>``
and the post links it as ``{static}/images/...``, which the build checks; one that is not
there keeps its original URL and is listed as missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

_UPLOADS = "/wp-content/uploads/"
# WordPress's resized copies: name-300x200.jpg next to name.jpg.
_RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


def upload_path(url: str) -> str | None:
    """Return the path of an upload below the uploads folder (``2013/05/a.jpg``), or None.

    Takes a URL as a post holds it; anything that is not a WordPress upload gives ``None``.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "") or (not parts.scheme and not parts.path):
        return None
    path = unquote(parts.path)
    if _UPLOADS in path:
        relative = path.split(_UPLOADS, 1)[1]
    elif (parts.hostname or "").endswith(".files.wordpress.com"):
        relative = path.lstrip("/")
    else:
        return None
    pure = PurePosixPath(relative)
    if not relative or relative.endswith("/") or ".." in pure.parts or pure.is_absolute():
        return None
    return str(pure)


@dataclass(frozen=True)
class MediaCopy:
    """An upload to copy: its original URL, the local file and the target under content/."""

    url: str
    source: Path
    relative: str  # below content/, e.g. images/2013/05/a.jpg


@dataclass
class MediaPlan:
    """Resolves the uploads a post links to, and remembers what to copy and what is missing.

    ``uploads`` is the local ``wp-content/uploads`` folder (or ``None``); ``folder`` the
    static folder below content/ that receives them (``images``).
    """

    uploads: Path | None
    folder: str = "images"
    copies: dict[str, MediaCopy] = field(default_factory=dict)
    missing: dict[str, None] = field(default_factory=dict)  # an ordered set of URLs

    def _local(self, relative: str) -> Path | None:
        if self.uploads is None:
            return None
        candidate = self.uploads / relative
        if candidate.is_file():
            return candidate
        # A resized copy missing from the folder: the original shows the same picture.
        original = self.uploads / _RESIZED.sub("", relative)
        return original if original.is_file() else None

    def resolve(self, url: str) -> str | None:
        """Return the ``{static}`` link of an upload copied into the site, else ``None``.

        An upload that is not in the local folder is recorded as missing (its URL stays).
        URLs that are not uploads give ``None`` and are not recorded.
        """
        relative = upload_path(url)
        if relative is None:
            return None
        source = self._local(relative)
        if source is None:
            self.missing.setdefault(url.split("#")[0], None)
            return None
        if source.name != PurePosixPath(relative).name:
            relative = str(PurePosixPath(relative).with_name(source.name))
        target = f"{self.folder}/{relative}"
        self.copies.setdefault(target, MediaCopy(url, source, target))
        return "{static}/" + quote(target)
