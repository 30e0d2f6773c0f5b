"""The theme's stylesheets and scripts as a browser gets them: minified, the scripts in one file.

The readable sources stay in ``theme/static/``. After Pelican has copied them into the output,
every ``.css`` and ``.js`` file there is replaced by its minified form (rcssmin and rjsmin: they
drop comments and whitespace and rename nothing, so what runs is the source, line for line),
and the scripts every page type may need are joined into ``js/site.js``, one deferred request.
Each part of the bundle looks for its own elements and does nothing on a page without them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin

BUNDLE = "js/site.js"
# share bar, comment counts, newsletter form; a hosted comment service's click-to-load
# (js/comments-embed.js) stays apart, loaded only where a post uses one.
BUNDLE_PARTS = ("js/share.js", "js/comments.js", "js/newsletter.js")
_MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


@lru_cache(maxsize=64)
def minify(suffix: str, text: str) -> str:
    """Return ``text``, the content of a ``.css`` or ``.js`` file, minified.

    Cached by content: ``make serve`` rebuilds often and the theme's files rarely change.
    Raises ``KeyError`` for another suffix.
    """
    return _MINIFIERS[suffix](text).strip() + "\n"


def bundle(parts: Iterable[str]) -> str:
    """Return the scripts ``parts`` (their text, each a self-contained function) as one file.

    A ``;`` between parts keeps one part's last expression from running into the next.
    """
    return ";\n".join(part.strip().rstrip(";") for part in parts) + ";\n"


def minify_static(static_root: Path, parts: Iterable[str] = BUNDLE_PARTS) -> list[Path]:
    """Minify every stylesheet and script under ``static_root`` in place and write the bundle.

    Takes the output's theme folder (``output/<THEME_STATIC_DIR>``) and the bundle's parts,
    relative to it, in order; a part the theme does not have is left out. Returns the files
    written, the bundle last.
    """
    written = []
    for path in sorted(static_root.rglob("*")):
        if path.suffix in _MINIFIERS and path.is_file():
            path.write_text(minify(path.suffix, path.read_text(encoding="utf-8")), "utf-8")
            written.append(path)
    sources = [static_root / part for part in parts if (static_root / part).is_file()]
    target = static_root / BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(bundle(path.read_text(encoding="utf-8") for path in sources), "utf-8")
    written.append(target)
    return written
