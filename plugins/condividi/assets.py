"""The theme's stylesheets and scripts as a browser gets them: minified, the scripts in one file.

The readable sources stay in ``theme/static/``. After Pelican has copied them into the output,
every ``.css`` and ``.js`` file there is replaced by its minified form, and the scripts that
article and list pages use are joined into ``js/site.js``, one deferred request. Each part of
the bundle looks for its own elements and does nothing on a page without them.

Stylesheets go through rcssmin. Scripts are parsed by calmjs.parse, which also renames local
variables and drops the semicolons a block's end makes useless (a fifth smaller than dropping
whitespace alone); it reads ES5, the theme's dialect,
and a script in newer syntax gets rjsmin instead (whitespace and comments only) with a
warning. Parsing costs a few tenths of a second, so results are cached on disk by content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import rcssmin
import rjsmin

from condividi.filecache import FileCache, digest

log = logging.getLogger(__name__)

BUNDLE = "js/site.js"
# share bar, comment counts, newsletter form, search field; a hosted comment service's click-to-load
# (js/comments-embed.js) stays apart, loaded only where a post uses one.
BUNDLE_PARTS = ("js/share.js", "js/comments.js", "js/newsletter.js", "js/search.js")
SUFFIXES = (".css", ".js")


@lru_cache(maxsize=1)
def _tools() -> str:
    """Name the minifiers and their versions: a new version must not reuse old results."""
    return ", ".join(f"{name} {version(name)}" for name in ("calmjs.parse", "rjsmin", "rcssmin"))


def minify_js(text: str, name: str = "a script") -> str:
    """Return the script ``text`` minified, local names shortened when it is ES5.

    ``name`` identifies the script in the warning logged when it is not ES5.
    """
    from calmjs.parse import es5
    from calmjs.parse.exceptions import ECMASyntaxError
    from calmjs.parse.unparsers.es5 import minify_print

    try:
        tree = es5(text)
    except ECMASyntaxError as error:
        log.warning("%s is not ES5 (%s): minified without renaming", name, error)
        return rjsmin.jsmin(text)
    return minify_print(tree, obfuscate=True, obfuscate_globals=False, drop_semi=True)


def minify(suffix: str, text: str, cache: Path | None = None, name: str = "") -> str:
    """Return ``text``, the content of a ``.css`` or ``.js`` file, minified.

    With a ``cache`` folder, a result is kept there under a hash of the content and the
    minifiers' versions, and read back on the next build. Raises ``ValueError`` for another
    suffix.
    """
    if suffix not in SUFFIXES:
        raise ValueError(f"cannot minify {suffix!r} files, only {', '.join(SUFFIXES)}")
    if cache is None:
        return _minified(suffix, text, name)
    key = digest(_tools(), suffix, text)[:32]
    made = FileCache(cache, suffix).get(key, lambda: _minified(suffix, text, name).encode())
    return made.read_text(encoding="utf-8")


def _minified(suffix: str, text: str, name: str) -> str:
    if suffix == ".css":
        return rcssmin.cssmin(text).strip() + "\n"
    return minify_js(text, name or "a script").strip() + "\n"


def bundle(parts: Iterable[str]) -> str:
    """Return the scripts ``parts`` (their text, each a self-contained function) as one file.

    A ``;`` between parts keeps one part's last expression from running into the next.
    """
    return ";\n".join(part.strip().rstrip(";") for part in parts) + ";\n"


def minify_static(
    static_root: Path, cache: Path | None = None, parts: Iterable[str] = BUNDLE_PARTS
) -> list[Path]:
    """Minify every stylesheet and script under ``static_root`` in place and write the bundle.

    Takes the output's theme folder (``output/<THEME_STATIC_DIR>``), the cache folder for
    :func:`minify`, and the bundle's parts, relative to ``static_root``, in order; a part the
    theme does not have is left out. Returns the files written, the bundle last.
    """
    written = []
    for path in sorted(static_root.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file():
            name = path.relative_to(static_root).as_posix()
            text = path.read_text(encoding="utf-8")
            path.write_text(minify(path.suffix, text, cache, name), encoding="utf-8")
            written.append(path)
    sources = [static_root / part for part in parts if (static_root / part).is_file()]
    target = static_root / BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(bundle(path.read_text(encoding="utf-8") for path in sources), "utf-8")
    written.append(target)
    return written
