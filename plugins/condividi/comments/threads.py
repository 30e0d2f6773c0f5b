"""Which posts take comments, and the stable id of each post's thread."""

from __future__ import annotations

from condividi.config import ConfigError

_ON = ("on", "yes", "true", "1")
_OFF = ("off", "no", "false", "0")


def thread_id(slug: str, lang: str, default_lang: str) -> str:
    """Return the comment-thread id of a post: ``/<slug>/``, or ``/<lang>/<slug>/``.

    It depends on the slug and language only, never on the URL settings, so comments stay
    with their post when ``ARTICLE_URL`` changes; a translation gets its own thread.
    """
    if lang and lang != default_lang:
        return f"/{lang}/{slug}/"
    return f"/{slug}/"


def comments_enabled(value: object, source: str, default: bool = True) -> bool:
    """Read a post's or page's ``Comments:`` front matter.

    Takes the metadata value (``None`` when absent), the file name for the error message and
    what an absent value means (on for a post, off for a page); returns whether it shows
    comments, or raises :class:`ConfigError`.
    """
    if value is None:
        return default
    text = str(value).strip().lower()
    if text in _ON:
        return True
    if text in _OFF:
        return False
    raise ConfigError(f"{source}: Comments: {value!r} is not valid: write 'off' or 'on'")
