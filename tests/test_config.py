"""Typed plugin settings: defaults, conversion and clear errors; the project's data paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from condividi.comments.isso import IssoSite
from condividi.config import ConfigError, load_config, project_path
from condividi.newsletter.config import newsletter_config, resolve_paths
from condividi.newsletter.edition import editions_folder


@dataclass(frozen=True)
class ExampleConfig:
    networks: tuple[str, ...] = ("facebook",)
    max_items: int | None = 20
    enabled: bool = True


def test_defaults_when_unset() -> None:
    assert load_config(ExampleConfig, {}, "EX") == ExampleConfig()


def test_values_are_read_and_lists_become_tuples() -> None:
    config = load_config(ExampleConfig, {"EX_NETWORKS": ["x", "email"], "EX_MAX_ITEMS": None}, "EX")
    assert config.networks == ("x", "email")
    assert config.max_items is None


@pytest.mark.parametrize(
    ("key", "value"),
    [("EX_NETWORKS", "facebook"), ("EX_MAX_ITEMS", "20"), ("EX_ENABLED", 1)],
)
def test_wrong_type_names_the_setting(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key):
        load_config(ExampleConfig, {key: value}, "EX")


def test_project_path_takes_a_relative_path_from_the_project_and_keeps_an_absolute_one(
    tmp_path: Path,
) -> None:
    settings = {"PATH": str(tmp_path / "blog" / "content")}
    assert project_path(settings, "var/comments/comments.db") == (
        tmp_path / "blog" / "var" / "comments" / "comments.db"
    )
    assert project_path(settings, Path("newsletter/ledger.json")).is_absolute()
    elsewhere = tmp_path / "altrove" / "ledger.json"
    assert project_path(settings, str(elsewhere)) == elsewhere


def test_every_data_path_of_the_project_follows_the_same_rule(tmp_path: Path) -> None:
    """The ledger, the subscribers, the outbox, the editions and Isso's database: one rule."""
    project = tmp_path / "blog"
    outbox = tmp_path / "posta"
    settings = {
        "PATH": str(project / "content"),
        "THEME": str(project / "theme"),
        "SITEURL": "https://blog.example.org",
        "NEWSLETTER_LEDGER_PATH": "registro/invii.json",
        "NEWSLETTER_OUTBOX": str(outbox),
        "NEWSLETTER_EDITION_PATH": "var/edizioni",
        "COMMENTS_ISSO_DB": "dati/commenti.db",
    }
    newsletter = resolve_paths(newsletter_config(settings, environ={}), settings)
    assert Path(newsletter.ledger_path) == project / "registro" / "invii.json"
    assert Path(newsletter.local_db) == project / "var" / "newsletter" / "subscribers.sqlite3"
    assert Path(newsletter.outbox) == outbox
    assert editions_folder(settings) == project / "var" / "edizioni"
    assert IssoSite.from_settings(settings).dbpath == project / "dati" / "commenti.db"
