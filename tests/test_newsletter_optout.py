"""``Newsletter: no``: a post kept out of the newsletter is recorded as skipped, never sent.

Unit (the front-matter value, the send run over the ledger) and end to end (build, status,
send with the local provider's outbox).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from condividi.newsletter.edition import wants_newsletter
from condividi.newsletter.ledger import Entry, Ledger
from condividi.newsletter.send import send_new
from tests.test_newsletter_cli import NEW_POST, cli, outbox, project, publish  # noqa: F401
from tests.test_send import RecordingProvider, edition

QUIET = """Title: Un avviso di servizio
Date: 2026-11-26 08:00
Category: Newsletter
Summary: Solo sul sito.
Newsletter: no

Il blog resta chiuso per le feste.
"""


@pytest.mark.parametrize(
    ("value", "wanted"),
    [(None, True), ("no", False), ("No", False), ("false", False), ("yes", True), ("1", True)],
)
def test_the_front_matter_value(value: str | None, wanted: bool) -> None:
    metadata = {} if value is None else {"newsletter": value}
    assert wants_newsletter(SimpleNamespace(metadata=metadata)) is wanted


def test_a_value_that_is_neither_names_the_file() -> None:
    post = SimpleNamespace(metadata={"newsletter": "forse"}, relative_source_path="articles/x.md")
    with pytest.raises(ValueError, match=r"articles/x.md: Newsletter: 'forse'"):
        wants_newsletter(post)


def test_a_skipped_edition_is_recorded_and_never_delivered(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json")
    provider = RecordingProvider()
    editions = [edition(1), edition(2)]
    report = send_new(editions, provider, ledger, progress=lambda _: None, skip={"post-1"})
    assert provider.calls == ["post-2"]
    assert report.sent == ["post-2"] and report.skipped == ["post-1"]
    saved = Ledger.load(ledger.path).entries
    assert saved["post-1"].state == "skipped" and saved["post-1"].title == "Post 1"
    assert saved["post-1"].sent_at is None
    # Later runs, with or without the flag, never send it.
    for skip in ({"post-1"}, set()):
        again = send_new(editions, provider, Ledger.load(ledger.path), lambda _: None, skip=skip)
        assert again.sent == [] and again.skipped == []
    assert provider.calls == ["post-2"]


def test_an_interrupted_send_the_provider_has_is_confirmed_not_skipped(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json")
    provider = RecordingProvider()
    provider.deliver(edition(1))  # accepted, then the run died before writing "sent"
    ledger.entries["post-1"] = Entry(state="sending", title="Post 1")
    ledger.save()
    report = send_new([edition(1)], provider, ledger, lambda _: None, skip={"post-1"})
    assert report.reconciled == ["post-1"] and report.skipped == []
    assert Ledger.load(ledger.path).entries["post-1"].state == "sent"


def test_an_interrupted_send_the_provider_lacks_is_skipped(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json")
    ledger.entries["post-1"] = Entry(state="sending", title="Post 1")
    ledger.save()
    provider = RecordingProvider()
    report = send_new([edition(1)], provider, ledger, lambda _: None, skip={"post-1"})
    assert report.skipped == ["post-1"] and provider.calls == []


def test_a_ledger_with_skipped_entries_loads(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json")
    ledger.record("post-1", "skipped", title="Post 1")
    assert Ledger.load(ledger.path).entries["post-1"].state == "skipped"


def test_newsletter_no_end_to_end(project: Path) -> None:  # noqa: F811
    assert cli(project, "newsletter", "init").returncode == 0
    articles = project / "content" / "articles"
    (articles / "avviso.md").write_text(QUIET, encoding="utf-8")
    (articles / "nuovo.md").write_text(NEW_POST.format(body="Da spedire."), encoding="utf-8")
    publish(project)

    preview = cli(project, "newsletter", "preview")
    assert "would send 1 edition" in preview.stdout
    assert "1 new post(s) say Newsletter: no" in preview.stdout
    status = cli(project, "newsletter", "status")
    assert "skipped     Un avviso di servizio" in status.stdout
    assert "(Newsletter: no in articles/avviso.md)" in status.stdout

    sent = cli(project, "newsletter", "send")
    assert sent.returncode == 0, sent.stderr
    assert "1 sent, 1 skipped (Newsletter: no)" in sent.stdout
    subjects = {m["Subject"] for m in outbox(project)}
    assert subjects == {"Un post nuovo di zecca"}
    ledger = json.loads((project / "newsletter" / "ledger.json").read_text(encoding="utf-8"))
    states = {e["title"]: e["state"] for e in ledger["editions"].values()}
    assert states["Un avviso di servizio"] == "skipped"
    assert states["Un post nuovo di zecca"] == "sent"

    # Dropping the line afterwards does not mail the post: the ledger settled it.
    (articles / "avviso.md").write_text(QUIET.replace("Newsletter: no\n", ""), encoding="utf-8")
    publish(project)
    again = cli(project, "newsletter", "send")
    assert again.returncode == 0 and "0 sent" in again.stdout
    assert len(outbox(project)) == 2
    status = cli(project, "newsletter", "status")
    assert "it said Newsletter: no when the ledger recorded it" in status.stdout


def test_a_bad_value_stops_the_publish_build(project: Path) -> None:  # noqa: F811
    bad = QUIET.replace("Newsletter: no", "Newsletter: forse")
    (project / "content" / "articles" / "avviso.md").write_text(bad, encoding="utf-8")
    result = cli(project, "build", "--settings", "publishconf.py")
    assert result.returncode != 0
    assert "articles/avviso.md: Newsletter: 'forse' is not valid" in result.stdout + result.stderr
