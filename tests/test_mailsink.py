"""make serve's local SMTP sink: what it takes over real SMTP lands, whole, in the outbox."""

from __future__ import annotations

import smtplib
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from condividi.mailsink import parse_listen, serve
from tests.conftest import free_port, wait_for


def test_the_sink_files_each_message_in_the_outbox(tmp_path: Path) -> None:
    port, stop = free_port(), threading.Event()
    outbox = tmp_path / "outbox"
    thread = threading.Thread(target=serve, args=("127.0.0.1", port, outbox, stop), daemon=True)
    thread.start()
    try:
        message = EmailMessage()
        message["From"] = "Condividi <newsletter@example.org>"
        message["To"] = "giulia@example.org"
        message["Subject"] = "Nuovo commento su «Perché»"
        message.set_content("Marco ha scritto:\n\nGrazie!\n")

        def send() -> bool:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    smtp.send_message(message)
            except OSError:
                return False
            return True

        assert wait_for(send, 10)
        files = sorted(outbox.glob("*.eml"))
        assert len(files) == 1
        filed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
        assert filed["Subject"] == "Nuovo commento su «Perché»"
        assert filed.get_content() == "Marco ha scritto:\n\nGrazie!\n"
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_the_listen_address_is_host_and_port() -> None:
    assert parse_listen("127.0.0.1:8025") == ("127.0.0.1", 8025)
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen("8025")
