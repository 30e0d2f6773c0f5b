"""The newsletter's file paths: one project folder for the build, the endpoint and the send step."""

from __future__ import annotations

from pathlib import Path

from condividi.build import load_settings
from condividi.config import project_root
from condividi.newsletter.config import (
    PATH_SETTINGS,
    NewsletterConfig,
    newsletter_config,
    resolve_paths,
)
from condividi.newsletter.edition import editions_folder
from condividi.newsletter.edition_plugin import settled_keys
from condividi.newsletter.ledger import Entry, Ledger
from condividi.newsletter.sending_commands import load_newsletter_config
from condividi.newsletter.signup import load_endpoint_settings
from tests.conftest import copy_project


def test_the_project_is_the_folder_of_the_content_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert project_root(load_settings(project / "publishconf.py")) == project.resolve()
    elsewhere = tmp_path / "altrove" / "testi"
    elsewhere.mkdir(parents=True)
    moved = load_settings(project / "publishconf.py", {"PATH": str(elsewhere)})
    assert project_root(moved) == elsewhere.parent


def test_relative_paths_are_taken_from_the_project_and_absolute_ones_kept(tmp_path: Path) -> None:
    settings = {"PATH": str(tmp_path / "content")}
    config = NewsletterConfig(outbox=str(tmp_path / "posta"), from_name="Giulia")
    resolved = resolve_paths(config, settings)
    assert resolved.ledger_path == str(tmp_path / "newsletter" / "ledger.json")
    assert resolved.local_db == str(tmp_path / "var" / "newsletter" / "subscribers.sqlite3")
    assert resolved.translations == str(tmp_path / "theme" / "translations")
    assert resolved.outbox == str(tmp_path / "posta")
    assert all(Path(getattr(resolved, name)).is_absolute() for name in PATH_SETTINGS)
    assert resolved.from_name == "Giulia" and resolved.provider == config.provider
    assert resolve_paths(resolved, settings) == resolved


def test_build_endpoint_and_send_step_find_the_same_ledger(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    settings_file = project / "publishconf.py"
    with settings_file.open("a", encoding="utf-8") as settings_text:
        settings_text.write('\nNEWSLETTER_LEDGER_PATH = "registro/invii.json"\n')
    ledger = Ledger.create(project / "registro" / "invii.json")
    ledger.entries["tag:www.example.org,2026:uno"] = Entry(state="sent")
    ledger.entries["tag:www.example.org,2026:due"] = Entry(state="sending")
    ledger.save()

    settings = load_settings(settings_file)
    assert settled_keys(settings) == {"tag:www.example.org,2026:uno"}, "the build's ledger"
    _, sending = load_newsletter_config(settings_file)
    endpoint, _ = load_endpoint_settings(settings_file, environ={})
    assert sending.ledger_path == endpoint.ledger_path == str(ledger.path)
    assert editions_folder(settings) == project / "var" / "newsletter" / "editions"
    assert newsletter_config(settings, environ={}).ledger_path == "registro/invii.json"
