"""The local provider: SQLite subscribers, double opt-in, outbox or a real SMTP sink, delivery."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.local_mail import UNSUBSCRIBE_PLACEHOLDER, OutboxMailer
from condividi.newsletter.providers import create_provider
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    Edition,
    InvalidAddress,
    Provenance,
    ProviderDown,
    Subscription,
    Unsubscribed,
)
from condividi.newsletter.providers.local import (
    LocalProvider,
    TokenExpired,
    TokenUnknown,
    token_hash,
)
from tests.conftest import free_port
from tests.newsletter_support import (
    CONSENT,
    Clock,
    SmtpSink,
    body_text,
    links,
    make_config,
    outbox_messages,
    token_of,
)


def subscription(email: str = "lettrice@example.org", lang: str = "it") -> Subscription:
    return Subscription(
        email=email, consent_at=CONSENT, privacy_policy_version="2026-11-01", lang=lang
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config(tmp_path: Path) -> NewsletterConfig:
    return make_config(tmp_path)


@pytest.fixture
def provider(config: NewsletterConfig, clock: Clock) -> LocalProvider:
    return LocalProvider(config, now=clock)


def test_registry_builds_the_local_provider(config: NewsletterConfig) -> None:
    assert isinstance(create_provider(config), LocalProvider)


def test_subscribe_stores_pending_with_consent_and_mails_both_links(
    provider: LocalProvider, config: NewsletterConfig
) -> None:
    result = provider.subscribe(subscription())
    assert result.status == "pending"
    record = provider.subscriber("lettrice@example.org")
    assert record is not None
    assert record.status == "pending"
    assert record.consent_at == CONSENT
    assert record.privacy_policy_version == "2026-11-01"
    assert record.lang == "it"
    assert record.created_at == CONSENT and record.confirmed_at is None

    [message] = outbox_messages(config)
    assert message["To"] == "lettrice@example.org"
    assert message["From"] == "Condividi <newsletter@example.org>"
    assert message["Subject"] == "Conferma l'iscrizione alla newsletter di Condividi"
    assert "entro 48 ore" in body_text(message)
    found = links(message)
    assert found["confirm"].startswith("https://news.example.org/confirm/")
    assert found["unsubscribe"].startswith("https://news.example.org/unsubscribe/")


def test_only_token_hashes_are_stored(provider: LocalProvider, config: NewsletterConfig) -> None:
    provider.subscribe(subscription())
    found = links(outbox_messages(config)[0])
    tokens = [token_of(url) for url in found.values()]
    database = Path(config.local_db).read_bytes()
    for token in tokens:
        assert len(token) >= 43
        assert token.encode() not in database
    with sqlite3.connect(config.local_db) as db:
        rows = db.execute("SELECT hash, purpose, created_at, expires_at FROM tokens").fetchall()
    by_purpose = {purpose: (digest, expires) for digest, purpose, _, expires in rows}
    assert by_purpose["confirm"][0] == token_hash(token_of(found["confirm"]))
    assert by_purpose["confirm"][1] == (CONSENT + timedelta(hours=48)).isoformat()
    assert by_purpose["unsubscribe"][1] is None


def test_english_reader_gets_an_english_email(
    provider: LocalProvider, config: NewsletterConfig
) -> None:
    provider.subscribe(subscription(lang="en"))
    [message] = outbox_messages(config)
    assert message["Subject"] == "Confirm your subscription to Condividi"
    assert "within 48 hours" in body_text(message)
    assert message["Content-Language"] == "en"


def test_confirm_then_unsubscribe(provider: LocalProvider, config: NewsletterConfig) -> None:
    provider.subscribe(subscription())
    found = links(outbox_messages(config)[0])
    provider.confirm(token_of(found["confirm"]))
    record = provider.subscriber("lettrice@example.org")
    assert record is not None and record.status == "confirmed" and record.confirmed_at == CONSENT
    provider.confirm(token_of(found["confirm"]))  # opening the link twice is fine
    provider.unsubscribe(token_of(found["unsubscribe"]))
    record = provider.subscriber("lettrice@example.org")
    assert record is not None and record.status == "unsubscribed"
    provider.unsubscribe(token_of(found["unsubscribe"]))  # and so is unsubscribing twice
    with pytest.raises(TokenUnknown, match="already used"):
        provider.confirm(token_of(found["confirm"]))


def test_confirmation_link_expires_after_48_hours(
    provider: LocalProvider, config: NewsletterConfig, clock: Clock
) -> None:
    provider.subscribe(subscription())
    token = token_of(links(outbox_messages(config)[0])["confirm"])
    clock.now = CONSENT + timedelta(hours=48)
    with pytest.raises(TokenExpired, match="expired on 2026-11-28T10:00:00"):
        provider.confirm(token)
    record = provider.subscriber("lettrice@example.org")
    assert record is not None and record.status == "pending"


def test_link_just_before_expiry_works(
    provider: LocalProvider, config: NewsletterConfig, clock: Clock
) -> None:
    provider.subscribe(subscription())
    token = token_of(links(outbox_messages(config)[0])["confirm"])
    clock.now = CONSENT + timedelta(hours=47, minutes=59)
    provider.confirm(token)
    assert provider.subscriber("lettrice@example.org").status == "confirmed"  # type: ignore[union-attr]


@pytest.mark.parametrize("token", ["", "x" * 43, "not-a-token-at-all"])
def test_unknown_tokens_are_refused(provider: LocalProvider, token: str) -> None:
    provider.subscribe(subscription())
    with pytest.raises(TokenUnknown, match="confirm link is not valid"):
        provider.confirm(token)
    with pytest.raises(TokenUnknown, match="unsubscribe link is not valid"):
        provider.unsubscribe(token)


def test_a_confirm_token_does_not_unsubscribe(
    provider: LocalProvider, config: NewsletterConfig
) -> None:
    provider.subscribe(subscription())
    found = links(outbox_messages(config)[0])
    with pytest.raises(TokenUnknown):
        provider.unsubscribe(token_of(found["confirm"]))
    with pytest.raises(TokenUnknown):
        provider.confirm(token_of(found["unsubscribe"]))


def test_confirmed_address_is_already_subscribed_and_gets_no_mail(
    provider: LocalProvider, config: NewsletterConfig
) -> None:
    provider.subscribe(subscription())
    provider.confirm(token_of(links(outbox_messages(config)[0])["confirm"]))
    with pytest.raises(AlreadySubscribed):
        provider.subscribe(subscription("LETTRICE@example.org"))
    assert len(outbox_messages(config)) == 1


def test_pending_or_unsubscribed_address_starts_over(
    provider: LocalProvider, config: NewsletterConfig, clock: Clock
) -> None:
    provider.subscribe(subscription())
    clock.now = CONSENT + timedelta(days=3)
    provider.subscribe(subscription(lang="en"))  # the first link expired: ask again
    first, second = outbox_messages(config)
    provider.confirm(token_of(links(second)["confirm"]))
    provider.unsubscribe(token_of(links(first)["unsubscribe"]))
    record = provider.subscriber("lettrice@example.org")
    assert record is not None and record.status == "unsubscribed"
    assert record.lang == "en"
    assert record.consent_at == CONSENT  # the consent time the reader gave, kept as given

    provider.subscribe(subscription())
    record = provider.subscriber("lettrice@example.org")
    assert record is not None and record.status == "pending" and record.unsubscribed_at is None
    assert len(outbox_messages(config)) == 3
    with sqlite3.connect(config.local_db) as db:
        assert db.execute("SELECT count(*) FROM subscribers").fetchone() == (1,)


def test_bad_address_never_reaches_the_database(
    provider: LocalProvider, config: NewsletterConfig
) -> None:
    with pytest.raises(InvalidAddress):
        provider.subscribe(subscription("a@b.it\r\nBcc: x@y.z"))
    with sqlite3.connect(config.local_db) as db:
        assert db.execute("SELECT count(*) FROM subscribers").fetchone() == (0,)
    assert outbox_messages(config) == []


def test_single_opt_in_when_configured(tmp_path: Path) -> None:
    config = make_config(tmp_path, double_opt_in=False)
    result = LocalProvider(config).subscribe(subscription())
    assert result.status == "subscribed"
    assert LocalProvider(config).subscriber("lettrice@example.org").status == "confirmed"  # type: ignore[union-attr]
    assert outbox_messages(config) == []


def test_confirmation_goes_through_smtp_when_configured(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        config = make_config(tmp_path, smtp_host=sink.host, smtp_port=sink.port)
        LocalProvider(config).subscribe(subscription())
        [message] = sink.wait_for(1)
    assert sink.recipients == [["lettrice@example.org"]]
    assert set(links(message)) == {"confirm", "unsubscribe"}
    assert outbox_messages(config) == []


def test_smtp_down_is_provider_down_and_keeps_the_reader_pending(tmp_path: Path) -> None:
    config = make_config(tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), timeout=2.0)
    provider = LocalProvider(config)
    with pytest.raises(ProviderDown, match="confirmation email was not sent"):
        provider.subscribe(subscription())
    assert provider.subscriber("lettrice@example.org").status == "pending"  # type: ignore[union-attr]


# -- delivering an edition ---------------------------------------------------------------

EDITION = Edition(
    key="tag:blog.example.org,2026-11-20:/metriche-di-vanita/",
    subject="Metriche di vanità e metriche utili",
    html=(
        "<!DOCTYPE html><html lang='it'><body><h1>Metriche di vanità</h1><p>Il testo.</p>"
        f'<p><a href="{UNSUBSCRIBE_PLACEHOLDER}">Annulla l\'iscrizione</a></p></body></html>'
    ),
    text=f"Metriche di vanità\n\nIl testo.\n\nAnnulla l'iscrizione: {UNSUBSCRIBE_PLACEHOLDER}\n",
    url="https://blog.example.org/metriche-di-vanita/",
)


def confirmed(provider: LocalProvider, config: NewsletterConfig, *emails: str) -> None:
    """Subscribe and confirm ``emails`` through the outbox."""
    outbox = dataclasses.replace(config, smtp_host=None)
    helper = LocalProvider(outbox)
    for email in emails:
        helper.subscribe(subscription(email))
        provider.confirm(token_of(links(outbox_messages(outbox)[-1])["confirm"]))


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


def test_deliver_to_confirmed_subscribers_through_smtp(tmp_path: Path, sink: SmtpSink) -> None:
    config = make_config(tmp_path, smtp_host=sink.host, smtp_port=sink.port)
    provider = LocalProvider(config)
    confirmed(provider, config, "uno@example.org", "due@example.org")
    LocalProvider(dataclasses.replace(config, smtp_host=None)).subscribe(
        subscription("in-attesa@example.org")
    )  # pending: gets nothing

    assert provider.find_delivery(EDITION) is None
    delivery = provider.deliver(EDITION)
    assert delivery.status == "sent" and delivery.key == EDITION.key
    messages = sink.wait_for(2)
    assert sorted(r[0] for r in sink.recipients) == ["due@example.org", "uno@example.org"]

    unsubscribe_urls = set()
    for message in messages:
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert message["Subject"] == EDITION.subject
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header_url = message["List-Unsubscribe"].strip("<>")
        assert header_url.startswith("https://news.example.org/unsubscribe/")
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f'href="{header_url}"' in html
        assert header_url in body_text(message)
        assert UNSUBSCRIBE_PLACEHOLDER not in html + body_text(message)
        unsubscribe_urls.add(header_url)
    assert len(unsubscribe_urls) == 2  # each reader has their own link

    assert provider.find_delivery(EDITION) == delivery
    assert provider.deliver(EDITION) == delivery  # already sent: nothing more goes out
    assert len(sink.messages) == 2

    # The one-click link of the first message unsubscribes its reader only.
    first = messages[0]
    provider.unsubscribe(token_of(first["List-Unsubscribe"].strip("<>")))
    assert provider.subscriber(first["To"]).status == "unsubscribed"  # type: ignore[union-attr]
    other = next(m["To"] for m in messages if m["To"] != first["To"])
    assert provider.subscriber(other).status == "confirmed"  # type: ignore[union-attr]


def test_refused_recipient_is_recorded_and_the_others_served(
    tmp_path: Path,
) -> None:
    with SmtpSink(refuse={"sparito@example.org"}) as sink:
        config = make_config(tmp_path, smtp_host=sink.host, smtp_port=sink.port)
        provider = LocalProvider(config)
        confirmed(provider, config, "sparito@example.org", "uno@example.org")
        assert provider.deliver(EDITION).status == "sent"
        sink.wait_for(1)
    assert sink.recipients == [["uno@example.org"]]
    recorded = dict(provider.recipients(EDITION))
    assert recorded["uno@example.org"] is None
    assert "550" in (recorded["sparito@example.org"] or "")


class FailingOutbox(OutboxMailer):
    """The outbox, but the connection breaks after ``good`` messages (an interrupted send)."""

    def __init__(self, folder: Path, good: int) -> None:
        super().__init__(folder)
        self.good = good

    def send(self, message: EmailMessage) -> None:
        if self.good == 0:
            raise ConnectionResetError("connection lost")
        self.good -= 1
        super().send(message)


def test_interrupted_delivery_resumes_without_sending_twice(
    tmp_path: Path, config: NewsletterConfig
) -> None:
    provider = LocalProvider(config)
    confirmed(provider, config, "uno@example.org", "due@example.org", "tre@example.org")
    before = len(outbox_messages(config))

    broken = LocalProvider(config, mailer_factory=lambda: FailingOutbox(Path(config.outbox), 1))
    with pytest.raises(ProviderDown, match="connection lost"):
        broken.deliver(EDITION)
    found = provider.find_delivery(EDITION)
    assert found is not None and found.status == "sending"
    assert [email for email, _ in provider.recipients(EDITION)] == ["uno@example.org"]

    assert provider.deliver(EDITION).status == "sent"
    sent = [m["To"] for m in outbox_messages(config)[before:]]
    assert sorted(sent) == ["due@example.org", "tre@example.org", "uno@example.org"]


def test_simultaneous_requests_for_one_address_make_one_row(
    provider: LocalProvider, config: NewsletterConfig
) -> None:
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def subscribe() -> None:
        start.wait()
        try:
            provider.subscribe(subscription())
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=subscribe) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite3.connect(config.local_db) as db:
        assert db.execute("SELECT count(*) FROM subscribers").fetchone() == (1,)
    assert len(outbox_messages(config)) == 6


# -- imported addresses ----------------------------------------------------------------------

IMPORTED = Provenance(
    import_id="feedburner-test-reconfirm",
    source="FeedBurner email subscribers export lettori.csv, row 2",
    subscribed_at=CONSENT - timedelta(days=3650),
)


def imported(email: str = "lettrice@example.org") -> Subscription:
    return Subscription(email=email, provenance=IMPORTED)


def test_an_import_is_recorded_with_its_mail(provider: LocalProvider, config) -> None:
    assert provider.import_status("lettrice@example.org", IMPORTED.import_id) == "absent"
    assert provider.subscribe(imported()).status == "pending"
    [record] = provider.imports_of("LETTRICE@example.org")
    assert (record.import_id, record.source) == (IMPORTED.import_id, IMPORTED.source)
    assert record.subscribed_at == IMPORTED.subscribed_at
    assert record.confirmation_sent_at == CONSENT
    assert provider.import_status("lettrice@example.org", IMPORTED.import_id) == "done"
    assert provider.import_status("lettrice@example.org", "another-import") == "absent"
    [message] = outbox_messages(config)
    assert message["Subject"] == "Vuoi ancora ricevere la newsletter di Condividi?"


def test_an_import_never_resubscribes_who_left(provider: LocalProvider, config) -> None:
    provider.subscribe(subscription())
    provider.unsubscribe(token_of(links(outbox_messages(config)[0])["unsubscribe"]))
    with pytest.raises(Unsubscribed):
        provider.subscribe(imported())
    assert provider.subscriber("lettrice@example.org").status == "unsubscribed"  # type: ignore[union-attr]
    assert len(outbox_messages(config)) == 1
    # The reader may come back by the form, though.
    assert provider.subscribe(subscription()).status == "pending"


def test_an_import_whose_mail_failed_leaves_no_record(tmp_path: Path) -> None:
    config = make_config(tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), timeout=2.0)
    provider = LocalProvider(config)
    with pytest.raises(ProviderDown):
        provider.subscribe(imported())
    assert provider.imports_of("lettrice@example.org") == []
    assert provider.import_status("lettrice@example.org", IMPORTED.import_id) == "absent"
