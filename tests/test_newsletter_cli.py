"""The send step end to end: build, init, send with the local provider, edit, send again."""

from __future__ import annotations

import dataclasses
import email
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from condividi.build import load_settings
from condividi.newsletter.config import newsletter_config, resolve_paths
from condividi.newsletter.ledger import Entry, Ledger
from condividi.newsletter.providers.base import Subscription
from condividi.newsletter.providers.local import LocalProvider

NEW_POST = """Title: Un post nuovo di zecca
Date: 2026-11-25 08:00
Category: Newsletter
Summary: Il primo post dopo l'avvio della newsletter.

{body}
"""


def cli(project: Path, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITEURL": "https://blog.example.org"}
    env.pop("NEWSLETTER_PROVIDER", None)
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-m", "condividi", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def publish(project: Path) -> None:
    result = cli(project, "build", "--settings", "publishconf.py")
    assert result.returncode == 0, result.stderr


def outbox(project: Path) -> list[email.message.Message]:
    folder = project / "var" / "newsletter" / "outbox"
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


@pytest.fixture
def project(make_site) -> Path:  # type: ignore[no-untyped-def]
    project: Path = make_site.project
    publish(project)
    settings = load_settings(project / "publishconf.py")
    config = resolve_paths(newsletter_config(settings, environ={}), settings)
    local = LocalProvider(dataclasses.replace(config, double_opt_in=False))
    for address in ("uno@example.org", "due@example.org"):
        local.subscribe(Subscription(email=address))
    return project


def test_send_refuses_without_a_ledger_and_points_to_init(project: Path) -> None:
    result = cli(project, "newsletter", "send")
    assert result.returncode == 2
    assert "newsletter-init" in result.stderr
    assert outbox(project) == []


def test_exactly_once_from_init_to_edit(project: Path) -> None:
    init = cli(project, "newsletter", "init")
    assert init.returncode == 0, init.stderr
    ledger = json.loads((project / "newsletter" / "ledger.json").read_text(encoding="utf-8"))
    assert {e["state"] for e in ledger["editions"].values()} == {"archived"}
    assert len(ledger["editions"]) == 6
    assert cli(project, "newsletter", "init").returncode == 2, "init twice is refused"

    nothing = cli(project, "newsletter", "send")
    assert nothing.returncode == 0 and "0 sent" in nothing.stdout
    assert outbox(project) == [], "the archive is never mailed"

    post = project / "content" / "articles" / "nuovo.md"
    post.write_text(NEW_POST.format(body="Prima versione."), encoding="utf-8")
    publish(project)
    preview = cli(project, "newsletter", "preview")
    assert "would send 1 edition" in preview.stdout
    assert "Un post nuovo di zecca" in preview.stdout
    sent = cli(project, "newsletter", "send")
    assert sent.returncode == 0, sent.stderr
    assert "1 sent" in sent.stdout
    messages = outbox(project)
    assert sorted(m["To"] for m in messages) == ["due@example.org", "uno@example.org"]
    assert all(m["Subject"] == "Un post nuovo di zecca" for m in messages)
    assert all(m["List-Unsubscribe"] for m in messages)

    post.write_text(NEW_POST.format(body="Seconda versione, corretta."), encoding="utf-8")
    publish(project)
    again = cli(project, "newsletter", "send")
    assert again.returncode == 0 and "0 sent" in again.stdout
    assert len(outbox(project)) == 2, "an edited post is not sent again"

    status = cli(project, "newsletter", "status")
    assert "sent        Un post nuovo di zecca" in status.stdout
    assert "skipped" in status.stdout and "draft" in status.stdout and "future" in status.stdout


def test_a_flood_of_new_editions_is_refused(project: Path) -> None:
    (project / "newsletter").mkdir()
    (project / "newsletter" / "ledger.json").write_text(
        '{"version": 1, "created_at": "2026-01-01T00:00:00+00:00", "editions": {}}',
        encoding="utf-8",
    )
    stale = cli(project, "newsletter", "send")
    assert stale.returncode == 2 and "build again" in stale.stderr, "built before the ledger"
    publish(project)
    refused = cli(project, "newsletter", "send")
    assert refused.returncode == 2
    assert "6 editions are new" in refused.stderr and "NEWSLETTER_MAX_NEW" in refused.stderr
    assert outbox(project) == []
    allowed = cli(project, "newsletter", "send", "--allow-many")
    assert allowed.returncode == 0, allowed.stderr
    assert len(outbox(project)) == 12


def test_resolve_needs_the_ledger_only(make_site) -> None:  # type: ignore[no-untyped-def]
    project: Path = make_site.project  # never built: there is no editions manifest
    key = "tag:www.example.org,2026:interrotto"
    ledger = Ledger.create(project / "newsletter" / "ledger.json")
    ledger.entries[key] = Entry(state="sending")
    ledger.save()
    result = cli(project, "newsletter", "resolve", key, "--sent")
    assert result.returncode == 0, result.stderr
    assert f"{key} recorded as sent" in result.stdout
    assert Ledger.load(ledger.path).entries[key].state == "sent"
    assert not (project / "var" / "newsletter" / "editions").exists()


WRONG_SHAPES = {
    '{"version": 1}': "'editions' is missing",
    "[]": "at $, expected an object",
    "null": "at $, expected an object",
    '{"version": 1, "created_at": "", "editions": []}': "at $.editions, expected an object",
    '{"version": 1, "created_at": "", "editions": {"k": "sent"}}': "at $.editions.k, expected",
}


def test_a_ledger_of_the_wrong_shape_is_refused_and_the_site_still_builds(
    project: Path,
) -> None:
    ledger = project / "newsletter" / "ledger.json"
    ledger.parent.mkdir()
    for text, expected in WRONG_SHAPES.items():
        ledger.write_text(text, encoding="utf-8")
        if text == '{"version": 1}':
            publish(project)  # the edition plugin reads the ledger: it warns, the site builds
        refused = cli(project, "newsletter", "send", "--allow-many")
        assert refused.returncode == 2, (text, refused.stdout, refused.stderr)
        assert "Traceback" not in refused.stderr
        assert str(ledger) in refused.stderr and expected in refused.stderr, refused.stderr
        assert "0 sent" not in refused.stdout
        assert outbox(project) == [], f"{text} mailed the archive"
        assert ledger.read_text(encoding="utf-8") == text, "the ledger is left as it was"
    status = cli(project, "newsletter", "status")
    assert status.returncode == 2 and str(ledger) in status.stderr


def test_a_refused_key_while_checking_an_unfinished_edition_is_one_line(
    project: Path, contract_server
) -> None:  # type: ignore[no-untyped-def]
    assert cli(project, "newsletter", "init").returncode == 0
    ledger = Ledger.load(project / "newsletter" / "ledger.json")
    key = next(iter(ledger.entries))
    ledger.record(key, "sending", provider="buttondown", attempts=1)
    publish(project)  # renders the unfinished edition, as `make newsletter-send` does
    before = ledger.path.read_bytes()
    server = contract_server("buttondown")
    server.fail_next(401)
    environ = {
        "NEWSLETTER_PROVIDER": "buttondown",
        "NEWSLETTER_API_URL": server.url,
        "NEWSLETTER_API_KEY": server.api_key,
    }
    result = cli(project, "newsletter", "send", **environ)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert key in lines[0] and "HTTP 401" in lines[0] and "NEWSLETTER_API_KEY" in lines[0]
    assert server.api_key not in result.stderr + result.stdout
    assert ledger.path.read_bytes() == before
    assert server.state.campaigns == {}
