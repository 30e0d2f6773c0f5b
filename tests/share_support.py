"""Helpers shared by the share tests: the theme's templates rendered outside a build."""

from __future__ import annotations

import functools

from jinja2 import Environment, FileSystemLoader

from condividi import i18n
from condividi.share.icons import icon, sprite_url
from tests.conftest import ROOT


def template_env() -> Environment:
    """Return a Jinja environment over the theme's templates, configured as Pelican's is
    (autoescape off, trimmed blocks) with the page-aware gettext and ``share_icon``."""
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "theme" / "templates")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    env.globals["share_icon"] = functools.partial(icon, url=sprite_url("", "theme"))
    return env
