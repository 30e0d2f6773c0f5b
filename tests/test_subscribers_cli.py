"""``import subscribers`` on the command line: the list it goes to, the options, the report."""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
from pathlib import Path

import pytest

from condividi.migrate.subscribers_cli import add_command
from tests.conftest import copy_project

DATA = Path(__file__).parent / "data" / "subscribers"


def main(*argv: str) -> int:
    """Run ``import subscribers ...`` through a parser like the ``import`` group's."""
    parser = argparse.ArgumentParser(prog="condividi import")
    add_command(parser.add_subparsers(dest="kind", required=True))
    args = parser.parse_args(["subscribers", *argv])
    return int(args.handler(args))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project as the current folder, with no provider from the environment."""
    for name in ("NEWSLETTER_PROVIDER", "NEWSLETTER_API_URL", "NEWSLETTER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "site"
    folder.mkdir()
    copy_project(folder)
    monkeypatch.chdir(folder)
    return folder


def subscribers(project: Path) -> dict[str, str]:
    with sqlite3.connect(project / "var" / "newsletter" / "subscribers.sqlite3") as db:
        return dict(db.execute("SELECT email, status FROM subscribers").fetchall())


def test_default_goes_to_publishconfs_provider_and_reports_every_row(project, capsys):
    assert main(str(DATA / "feedburner.csv")) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("condividi: importing into local (publishconf.py): ")
    assert lines[0].endswith("var/newsletter/subscribers.sqlite3")
    assert "confirmation mails go to the outbox folder" in lines[1]
    assert "is a FeedBurner email subscribers export: 8 subscriber rows" in out
    assert "3 to import (mailed a confirmation request" in out
    assert "imported into local: 3 pending (confirmation mailed), 0 confirmed" in out
    assert "  row 5 'non-un-indirizzo': An email address must have an @-sign." in out
    assert "  row 6 anna.bianchi@example.org: the same address as row 2" in out
    assert '  row 10 paolo@example.it: status "Unsubscribed" at FeedBurner, not Active' in out
    assert set(subscribers(project).values()) == {"pending"}
    journals = list((project / "var" / "imports" / "subscribers").glob("*.jsonl"))
    assert len(journals) == 1 and f"journal: {journals[0]}" in out
    assert "personal data" in out

    # Again: nothing to do, nobody mailed twice.
    outbox = project / "var" / "newsletter" / "outbox"
    mails = len(list(outbox.glob("*.eml")))
    assert main(str(DATA / "feedburner.csv")) == 0
    assert "settled by an earlier run: 3 (3 pending)" in capsys.readouterr().out
    assert len(list(outbox.glob("*.eml"))) == mails == 3


def test_confirmed_with_a_consent_note(project, capsys):
    note = "Iscritti con doppio opt-in su Mailchimp, 2018-2024"
    assert main(str(DATA / "mailchimp_subscribed.csv"), "--confirmed", "--consent-note", note) == 0
    out = capsys.readouterr().out
    assert f"consent note, kept in the local database (table subscriber_imports): {note}" in out
    assert "imported into local: 0 pending (confirmation mailed), 2 confirmed" in out
    assert subscribers(project) == {
        "elena@example.org": "confirmed",
        "franco@example.org": "confirmed",
    }
    assert not (project / "var" / "newsletter" / "outbox").exists()
    with sqlite3.connect(project / "var" / "newsletter" / "subscribers.sqlite3") as db:
        notes = {row[0] for row in db.execute("SELECT consent_note FROM subscriber_imports")}
    assert notes == {note}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--confirmed"], '--confirmed needs --consent-note "..."'),
        (["--confirmed", "--consent-note", "  "], '--confirmed needs --consent-note "..."'),
        (["--consent-note", "perché sì"], "--consent-note goes with --confirmed"),
        (
            ["--confirmed", "--consent-note", "x", "--include-unconfirmed"],
            "--include-unconfirmed cannot go with --confirmed",
        ),
    ],
)
def test_options_that_contradict_each_other(project, capsys, options, message):
    assert main(str(DATA / "feedburner.csv"), *options) == 2
    assert message in capsys.readouterr().err
    assert not (project / "var").exists()  # nothing written, nobody contacted


def test_confirmed_is_refused_where_the_note_would_be_lost(
    project, capsys, contract_server, monkeypatch
):
    server = contract_server("kit")
    monkeypatch.setenv("NEWSLETTER_PROVIDER", "kit")
    monkeypatch.setenv("NEWSLETTER_API_URL", server.url)
    monkeypatch.setenv("NEWSLETTER_API_KEY", server.api_key)
    code = main(str(DATA / "feedburner.csv"), "--confirmed", "--consent-note", "Iscritti")
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.startswith("condividi: importing into kit (publishconf.py)")
    assert "--confirmed is not available with kit: Kit keeps free text only" in captured.err
    assert "Import without --confirmed" in captured.err
    assert server.requests == []


def test_into_a_hosted_provider_from_the_environment(project, capsys, contract_server, monkeypatch):
    server = contract_server("buttondown")
    monkeypatch.setenv("NEWSLETTER_PROVIDER", "buttondown")
    monkeypatch.setenv("NEWSLETTER_API_URL", server.url)
    monkeypatch.setenv("NEWSLETTER_API_KEY", server.api_key)
    assert main(str(DATA / "substack_email_list.csv")) == 0
    out = capsys.readouterr().out
    assert out.startswith("condividi: importing into buttondown (publishconf.py)\n")
    assert "imported into buttondown: 2 pending" in out
    assert sorted(server.state.confirmations) == ["irene@example.org", "lorenzo@example.org"]
    assert not (project / "var" / "newsletter").exists()  # the local list was not touched


def test_dry_run_contacts_nobody_and_writes_nothing(project, capsys):
    assert main(str(DATA / "feedburner.csv"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "3 to import" in out and "row 4 giulia@example.com" in out
    assert "dry run: no provider was contacted and nothing was written" in out
    assert not (project / "var").exists()


def test_a_file_of_unknown_headers_is_a_clear_error(project, capsys):
    assert main(str(DATA / "unknown_headers.csv")) == 2
    err = capsys.readouterr().err
    assert "the headers (Nome, Indirizzo di posta, Iscritto il)" in err
    assert "Expected one of: Mailchimp" in err


def test_a_busy_journal_is_refused(project, capsys):
    from condividi.newsletter.ledger import locked

    assert main(str(DATA / "feedburner.csv"), "--dry-run") == 0
    capsys.readouterr()
    folder = project / "var" / "imports" / "subscribers"
    assert main(str(DATA / "feedburner.csv")) == 0
    [journal] = folder.glob("*.jsonl")
    with locked(journal):
        assert main(str(DATA / "feedburner.csv")) == 2
    assert "another run of this import is under way" in capsys.readouterr().err


def test_a_file_with_nobody_to_import_contacts_nobody(project, capsys):
    assert main(str(DATA / "mailchimp_unsubscribed.csv")) == 0
    out = capsys.readouterr().out
    assert "row 2 gino@example.org: unsubscribed at Mailchimp on 2021-05-05 12:00:00" in out
    assert "nothing to import: no provider was contacted" in out
    assert not (project / "var").exists()


def test_dry_run_after_a_run_counts_what_is_settled(project, capsys):
    assert main(str(DATA / "substack_email_list.csv")) == 0
    assert main(str(DATA / "substack_email_list.csv"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "2 of them were settled by an earlier run of this import" in out


def test_a_file_of_ambiguous_dates_is_refused_then_imported_with_date_format(
    project, capsys, tmp_path
):
    export = tmp_path / "ambigue.csv"
    export.write_text(
        "Email,Subscription Date,Status\nuna@example.org,01/07/2011,Active\n"
        "due@example.org,02/03/2012,Active\n",
        encoding="utf-8",
    )
    assert main(str(export)) == 2
    err = capsys.readouterr().err
    assert "no row tells which comes first" in err and "--date-format" in err
    assert not (project / "var" / "newsletter" / "subscribers.sqlite3").exists() or (
        subscribers(project) == {}
    ), "nobody imported"

    assert main(str(export), "--date-format", "DD/MM/YYYY") == 0
    assert "dates read as DD/MM/YYYY throughout, as --date-format says" in capsys.readouterr().out
    with sqlite3.connect(project / "var" / "newsletter" / "subscribers.sqlite3") as db:
        stored = dict(
            db.execute(
                "SELECT s.email, i.subscribed_at FROM subscribers s"
                " JOIN subscriber_imports i ON i.subscriber_id = s.id"
            ).fetchall()
        )
    assert {k: v[:10] for k, v in stored.items()} == {
        "una@example.org": "2011-07-01",
        "due@example.org": "2012-03-02",
    }


def test_the_date_order_a_row_decides_is_reported(project, capsys):
    assert main(str(DATA / "feedburner_bom_semicolon.csv"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "dates read as DD/MM/YYYY throughout, as row 2: 14/03/2010 shows" in out


def test_make_passes_date_format_through() -> None:
    root = Path(__file__).resolve().parents[1]
    shown = subprocess.run(
        [
            "make",
            "-n",
            "-C",
            str(root),
            "import-subscribers",
            "CSV=x.csv",
            "DATE_FORMAT=MM/DD/YYYY",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '--date-format "MM/DD/YYYY"' in shown
