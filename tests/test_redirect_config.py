"""The REDIRECTS_* settings: defaults, and the values that stop the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from condividi.config import ConfigError
from condividi.migrate.redirect_config import RedirectsConfig, nginx_folder, redirects_config
from condividi.migrate.redirect_map import redirects_file


def test_defaults_and_where_the_files_are(tmp_path: Path) -> None:
    settings = {"PATH": str(tmp_path / "content")}
    config = redirects_config(settings)
    assert config == RedirectsConfig()
    assert redirects_file(settings) == tmp_path / "content" / "redirects.txt"
    assert nginx_folder(config, settings) == tmp_path / "var" / "redirects"
    assert (
        nginx_folder(redirects_config({**settings, "REDIRECTS_NGINX_PATH": ""}), settings) is None
    )
    moved = {**settings, "REDIRECTS_FILE": "/srv/map.txt"}
    assert redirects_file(moved) == Path("/srv/map.txt")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REDIRECTS_HTML_PAGES", "yes", "REDIRECTS_HTML_PAGES = 'yes' is not valid"),
        ("REDIRECTS_FILE", "", "REDIRECTS_FILE is empty"),
        ("REDIRECTS_NETLIFY_SAVE_AS", "/_redirects", "inside the output folder"),
        ("REDIRECTS_SHORTLINKS_SAVE_AS", "../x.json", "inside the output folder"),
        ("REDIRECTS_SHORTLINKS_SAVE_AS", "shortlinks.js", "expected a .json file"),
    ],
)
def test_a_wrong_value_is_named(name: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        redirects_config({"PATH": "content", name: value})
