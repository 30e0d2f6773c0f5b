"""Building the local provider's emails and writing them to the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from condividi.newsletter.local_mail import (
    UNSUBSCRIBE_PLACEHOLDER,
    OutboxMailer,
    edition_message,
    plain_message,
    sender_address,
)
from condividi.newsletter.providers.base import Edition

WHEN = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
EDITION = Edition(
    key="tag:blog.example.org,2026-11-20:/metriche/",
    subject="Metriche di vanità e metriche utili",
    html=(
        "<html><body><h1>Metriche</h1><p>Testo.</p>"
        f'<p><a href="{UNSUBSCRIBE_PLACEHOLDER}">Annulla l\'iscrizione</a></p></body></html>'
    ),
    text=f"Metriche\n\nTesto.\n\nAnnulla l'iscrizione: {UNSUBSCRIBE_PLACEHOLDER}\n",
    url="https://blog.example.org/metriche/",
)
UNSUBSCRIBE = "https://news.example.org/unsubscribe/abc_DEF-123?x=1&y=2"


def test_sender_address() -> None:
    assert sender_address("", "n@example.org") == "n@example.org"
    assert sender_address("Condividi", "n@example.org") == "Condividi <n@example.org>"
    assert "=?utf-8?" in sender_address("Perché no", "n@example.org")


def test_plain_message_headers_and_body() -> None:
    message = plain_message(
        sender="Condividi <n@example.org>",
        to="lettrice@example.org",
        subject="Conferma l'iscrizione",
        text="Ciao,\napri il link.\n",
        date=WHEN,
        reply_to="giulia@example.org",
        headers={"Content-Language": "it"},
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["To"] == "lettrice@example.org"
    assert parsed["Subject"] == "Conferma l'iscrizione"
    assert parsed["Reply-To"] == "giulia@example.org"
    assert parsed["Content-Language"] == "it"
    assert parsed["Date"] == "Thu, 26 Nov 2026 09:30:00 +0000"
    assert parsed["Message-ID"].endswith("@example.org>")
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == "Ciao,\napri il link.\n"


@pytest.mark.parametrize("header", ["to", "subject"])
def test_header_injection_is_impossible(header: str) -> None:
    values = {"to": "a@b.it", "subject": "Ciao"}
    values[header] += "\r\nBcc: x@y.z"
    with pytest.raises(ValueError):
        plain_message(sender="n@example.org", text="x", date=WHEN, **values)


def test_edition_message_is_multipart_with_the_readers_own_link() -> None:
    message = edition_message(
        EDITION,
        sender="Condividi <n@example.org>",
        to="lettrice@example.org",
        unsubscribe_url=UNSUBSCRIBE,
        date=WHEN,
        list_id="<newsletter.example.org>",
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the richest last, as RFC 2046 asks
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert UNSUBSCRIBE in text and UNSUBSCRIBE_PLACEHOLDER not in text
    assert UNSUBSCRIBE.replace("&", "&amp;") in html and UNSUBSCRIBE_PLACEHOLDER not in html
    assert parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "<newsletter.example.org>"
    assert parsed["Subject"] == EDITION.subject
    assert parsed["Content-Language"] == "it"


def test_outbox_writes_whole_eml_files(tmp_path: Path) -> None:
    outbox = tmp_path / "var" / "outbox"
    with OutboxMailer(outbox) as mailer:
        for n in range(3):
            mailer.send(
                plain_message(
                    sender="n@example.org", to="a@example.org", subject=f"n{n}", text="x", date=WHEN
                )
            )
    files = sorted(outbox.iterdir())
    assert len(files) == 3
    assert all(f.suffix == ".eml" and not f.name.startswith(".") for f in files)
    subjects = {message_from_bytes(f.read_bytes())["Subject"] for f in files}
    assert subjects == {"n0", "n1", "n2"}
