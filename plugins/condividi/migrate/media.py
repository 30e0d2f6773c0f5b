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


def upload_location(url: str) -> str | None:
    """Return what follows the uploads folder in an upload's URL, decoded, as it is.

    Takes a URL as a post holds it; returns ``2013/05/a.jpg`` (or, for a hostile URL,
    ``../../wp-config.php``: :func:`upload_path` checks it), or ``None`` when the URL is
    not a WordPress upload.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "") or (not parts.scheme and not parts.path):
        return None
    path = unquote(parts.path)
    if _UPLOADS in path:
        return path.split(_UPLOADS, 1)[1]
    if (parts.hostname or "").endswith(".files.wordpress.com"):
        return path.lstrip("/")
    return None


def _below(relative: str) -> str | None:
    pure = PurePosixPath(relative)
    if not relative or relative.endswith("/") or ".." in pure.parts or pure.is_absolute():
        return None
    return str(pure)


def upload_path(url: str) -> str | None:
    """Return the path of an upload below the uploads folder (``2013/05/a.jpg``), or None.

    Takes a URL as a post holds it; anything that is not a WordPress upload, or whose path
    would leave the uploads folder (``../``, ``%2e%2e``), gives ``None``.
    """
    relative = upload_location(url)
    return None if relative is None else _below(relative)


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
    # Uploads not read, and why (a path out of the folder, a link out of it): missing too.
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def downloadable(self) -> list[str]:
        """The missing uploads worth fetching from the old blog (not the ``refused`` ones)."""
        return [url for url in self.missing if url not in self.refused]

    def _inside(self, path: Path) -> bool:
        """Tell whether ``path``, its links followed, is still in the uploads folder."""
        assert self.uploads is not None
        return path.resolve().is_relative_to(self.uploads.resolve())

    def _local(self, relative: str, url: str) -> Path | None:
        if self.uploads is None:
            return None
        # A resized copy missing from the folder: the original shows the same picture.
        for candidate in (self.uploads / relative, self.uploads / _RESIZED.sub("", relative)):
            if not (candidate.is_file() or candidate.is_symlink()):
                continue
            if not self._inside(candidate):
                # Never follow a link out of the folder (link.jpg -> /etc/hostname).
                self.refused.setdefault(
                    url, f"{candidate} is a link out of the uploads folder: not copied"
                )
                return None
            if candidate.is_file():
                return candidate
        return None

    def resolve(self, url: str) -> str | None:
        """Return the ``{static}`` link of an upload copied into the site, else ``None``.

        An upload that is not in the local folder is recorded as missing (its URL stays).
        An upload whose path leaves the folder, or that is a link out of it, is never read:
        it is missing, and recorded in ``refused`` with the reason. URLs that are not uploads
        give ``None`` and are not recorded.
        """
        location = upload_location(url)
        if location is None:
            return None
        url = url.split("#")[0]
        relative = _below(location)
        if relative is None:
            self.refused.setdefault(url, f"its path {location!r} leaves the uploads folder")
        source = None if relative is None else self._local(relative, url)
        if source is None or relative is None:
            self.missing.setdefault(url, None)
            return None
        if source.name != PurePosixPath(relative).name:
            relative = str(PurePosixPath(relative).with_name(source.name))
        target = f"{self.folder}/{relative}"
        self.copies.setdefault(target, MediaCopy(url, source, target))
        return "{static}/" + quote(target)
