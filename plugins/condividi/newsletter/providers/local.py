"""The "local" provider: subscribers in SQLite, mail through SMTP or into an outbox folder.

It needs no account, so the whole newsletter works on a laptop. Double opt-in: subscribing
stores the address as ``pending`` and emails a confirmation link (valid ``confirm_hours``) and
an unsubscribe link. Tokens are random and only their SHA-256 hashes are stored: a copy of the
database cannot confirm or unsubscribe anybody. Each delivered edition gets a fresh
unsubscribe token per reader, recorded with the delivery, so links in old emails keep working.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import smtplib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from condividi import i18n
from condividi.newsletter.addresses import validate_address
from condividi.newsletter.config import NewsletterConfig, endpoint_base_url
from condividi.newsletter.local_mail import (
    Mailer,
    OutboxMailer,
    SmtpMailer,
    edition_message,
    plain_message,
    sender_address,
)
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    Delivery,
    Edition,
    ImportStatus,
    ProviderDown,
    ProviderError,
    SubscribeResult,
    Subscription,
    Unsubscribed,
)
from condividi.newsletter.welcome import load_welcome, welcome_folder

log = logging.getLogger(__name__)

NAME = "local"
SubscriberStatus = Literal["pending", "confirmed", "unsubscribed"]
TokenPurpose = Literal["confirm", "unsubscribe"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    lang TEXT NOT NULL,
    consent_at TEXT,
    privacy_policy_version TEXT,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'unsubscribe')),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    used_at TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent')),
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS delivery_recipients (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
    sent_at TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (delivery_id, subscriber_id)
);
CREATE TABLE IF NOT EXISTS welcomes (
    subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers (id),
    sent_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriber_imports (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
    import_id TEXT NOT NULL,
    source TEXT NOT NULL,
    subscribed_at TEXT,
    consent_note TEXT,
    imported_at TEXT NOT NULL,
    confirmation_sent_at TEXT,
    PRIMARY KEY (subscriber_id, import_id)
);
"""


class TokenError(ProviderError):
    """A confirm or unsubscribe link cannot be used."""


class TokenUnknown(TokenError):
    """The link's token is not ours (mistyped, cut short, or already used)."""


class TokenExpired(TokenError):
    """The confirmation link is older than ``confirm_hours``."""


@dataclass(frozen=True)
class Subscriber:
    """One row of the subscribers table."""

    id: int
    email: str
    status: SubscriberStatus
    lang: str
    consent_at: datetime | None
    privacy_policy_version: str | None
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


@dataclass(frozen=True)
class ImportRecord:
    """One row of the subscriber_imports table: where an imported address came from."""

    import_id: str
    source: str
    subscribed_at: datetime | None
    consent_note: str | None
    imported_at: datetime
    confirmation_sent_at: datetime | None


def new_token() -> str:
    """Return a fresh random token for a link (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest under which ``token`` is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _email_key(email: str) -> str:
    # The UNIQUE column addresses are looked up by: one subscriber per address, whatever its case.
    return email.strip().lower()


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def mailer_for(config: NewsletterConfig) -> Mailer:
    """Return the SMTP mailer when ``smtp_host`` is set, else the outbox folder's mailer."""
    if config.smtp_host:
        return SmtpMailer(
            config.smtp_host,
            config.smtp_port,
            timeout=config.timeout,
            starttls=config.smtp_starttls,
            username=config.smtp_username,
            password=config.smtp_password,
        )
    return OutboxMailer(Path(config.outbox))


class LocalProvider:
    """The embedded provider (see the module docstring).

    Takes the newsletter configuration; ``now`` (the clock) and ``mailer_factory`` (returns a
    fresh :class:`Mailer` for each batch of messages) may be replaced. The database and its
    folder are created on first use.
    """

    name = NAME
    can_find_deliveries = True
    consent_record = "the local database (table subscriber_imports)"
    consent_record_missing = ""
    # Subscribing a pending address again starts over and mails a new link: an interrupted
    # import asks import_status instead.
    repeat_subscribe_is_safe = False

    def __init__(
        self,
        config: NewsletterConfig,
        *,
        now: Callable[[], datetime] = _utc_now,
        mailer_factory: Callable[[], Mailer] | None = None,
    ) -> None:
        self.config = config
        self.now = now
        self.mailer_factory = mailer_factory or (lambda: mailer_for(config))
        self.db_path = Path(config.local_db)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.db_path, timeout=30)
        try:
            # WAL: readers never wait for the writer (the endpoint serves requests in threads).
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(SCHEMA)
        finally:
            db.close()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one write transaction (committed unless an error escapes).

        ``BEGIN IMMEDIATE`` takes the write lock at once, so two requests for the same new
        address cannot both find it absent and both insert it.
        """
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    # -- links -----------------------------------------------------------------------------

    def confirm_url(self, token: str) -> str:
        """Return the confirmation link for ``token``."""
        return f"{endpoint_base_url(self.config)}/confirm/{token}"

    def unsubscribe_url(self, token: str) -> str:
        """Return the unsubscribe link for ``token``."""
        return f"{endpoint_base_url(self.config)}/unsubscribe/{token}"

    def _issue_token(
        self, db: sqlite3.Connection, subscriber_id: int, purpose: TokenPurpose
    ) -> str:
        token = new_token()
        now = self.now()
        expires = now + timedelta(hours=self.config.confirm_hours) if purpose == "confirm" else None
        db.execute(
            "INSERT INTO tokens (hash, subscriber_id, purpose, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), subscriber_id, purpose, _iso(now), expires and _iso(expires)),
        )
        return token

    # -- subscribing -----------------------------------------------------------------------

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        """Store ``subscription`` as pending and email its confirmation link.

        Returns ``SubscribeResult("pending", <subscriber id>)``, or ``"subscribed"`` when
        ``double_opt_in`` is off. Raises :class:`AlreadySubscribed` for a confirmed address
        (nothing is sent), ``InvalidAddress`` for a bad one, :class:`ProviderDown` when the
        confirmation email cannot be sent. A pending or unsubscribed address starts over, except
        that an import (``subscription.provenance``) never brings back an unsubscribed address
        (:class:`Unsubscribed`); an import is recorded in ``subscriber_imports``, with the time
        its confirmation mail went out.
        """
        email = validate_address(subscription.email, NAME)
        provenance = subscription.provenance
        now = self.now()
        consent_at = subscription.consent_at or now
        status: SubscriberStatus = "pending" if self.config.double_opt_in else "confirmed"
        with self._connect() as db:
            row = db.execute(
                "SELECT id, status FROM subscribers WHERE email_key = ?", (_email_key(email),)
            ).fetchone()
            if row is not None and row["status"] == "confirmed":
                raise AlreadySubscribed(NAME, "the address is already subscribed")
            if row is not None and row["status"] == "unsubscribed" and provenance is not None:
                raise Unsubscribed(NAME, "the address unsubscribed from this list")
            values = (
                email,
                status,
                subscription.lang,
                _iso(consent_at),
                subscription.privacy_policy_version,
                None if status == "pending" else _iso(now),
            )
            if row is None:
                subscriber_id = db.execute(
                    "INSERT INTO subscribers (email, status, lang, consent_at,"
                    " privacy_policy_version, confirmed_at, email_key, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, _email_key(email), _iso(now)),
                ).lastrowid
            else:
                subscriber_id = row["id"]
                db.execute(
                    "UPDATE subscribers SET email = ?, status = ?, lang = ?, consent_at = ?,"
                    " privacy_policy_version = ?, confirmed_at = ?, unsubscribed_at = NULL"
                    " WHERE id = ?",
                    (*values, subscriber_id),
                )
            assert subscriber_id is not None
            if provenance is not None:
                db.execute(
                    "INSERT OR REPLACE INTO subscriber_imports (subscriber_id, import_id, source,"
                    " subscribed_at, consent_note, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        subscriber_id,
                        provenance.import_id,
                        provenance.source,
                        provenance.subscribed_at and _iso(provenance.subscribed_at),
                        provenance.consent_note,
                        _iso(now),
                    ),
                )
            if status == "confirmed":
                return SubscribeResult("subscribed", str(subscriber_id))
            confirm_token = self._issue_token(db, subscriber_id, "confirm")
            unsubscribe_token = self._issue_token(db, subscriber_id, "unsubscribe")
        message = self.confirmation_message(
            email,
            subscription.lang,
            confirm_token,
            unsubscribe_token,
            imported=provenance is not None,
        )
        try:
            with self.mailer_factory() as mailer:
                mailer.send(message)
        except (smtplib.SMTPException, OSError) as error:
            if provenance is not None:
                # Not mailed: the import's next run finds no trace of this call and retries.
                self._forget_import(subscriber_id, provenance.import_id)
            raise ProviderDown(NAME, f"the confirmation email was not sent: {error}") from error
        if provenance is not None:
            with self._connect() as db:
                db.execute(
                    "UPDATE subscriber_imports SET confirmation_sent_at = ?"
                    " WHERE subscriber_id = ? AND import_id = ?",
                    (_iso(self.now()), subscriber_id, provenance.import_id),
                )
        return SubscribeResult("pending", str(subscriber_id))

    def _forget_import(self, subscriber_id: int, import_id: str) -> None:
        with self._connect() as db:
            db.execute(
                "DELETE FROM subscriber_imports WHERE subscriber_id = ? AND import_id = ?",
                (subscriber_id, import_id),
            )

    def import_status(self, email: str, import_id: str) -> ImportStatus:
        """See :class:`~.base.Provider`: read from the database.

        ``absent`` when the import left no record of ``email`` (its call never committed);
        ``done`` when the address is confirmed (or unsubscribed since), or pending with its
        confirmation mail recorded as sent; ``unknown`` when the mail may or may not have gone
        out (the run stopped between the two).
        """
        with self._connect() as db:
            row = db.execute(
                "SELECT subscribers.status, subscriber_imports.confirmation_sent_at"
                " FROM subscribers JOIN subscriber_imports"
                " ON subscriber_imports.subscriber_id = subscribers.id"
                " WHERE subscribers.email_key = ? AND subscriber_imports.import_id = ?",
                (_email_key(email), import_id),
            ).fetchone()
        if row is None:
            return "absent"
        if row["status"] != "pending" or row["confirmation_sent_at"] is not None:
            return "done"
        return "unknown"

    def imports_of(self, email: str) -> list[ImportRecord]:
        """Return the import records of ``email`` (any letter case), oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT subscriber_imports.* FROM subscriber_imports JOIN subscribers"
                " ON subscribers.id = subscriber_imports.subscriber_id"
                " WHERE subscribers.email_key = ? ORDER BY subscriber_imports.imported_at",
                (_email_key(email),),
            ).fetchall()
        return [
            ImportRecord(
                import_id=row["import_id"],
                source=row["source"],
                subscribed_at=_when(row["subscribed_at"]),
                consent_note=row["consent_note"],
                imported_at=datetime.fromisoformat(row["imported_at"]),
                confirmation_sent_at=_when(row["confirmation_sent_at"]),
            )
            for row in rows
        ]

    def confirmation_message(
        self,
        email: str,
        lang: str,
        confirm_token: str,
        unsubscribe_token: str,
        imported: bool = False,
    ) -> EmailMessage:
        """Return the confirmation email for ``email`` in ``lang`` with both links.

        ``imported``: the reader subscribed long ago, elsewhere (an import's re-confirmation),
        so the mail says why it comes, rather than thanking them for a signup they did not make.
        """
        translations = i18n.load_catalogue(self.config.translations, lang)
        _ = translations.gettext
        name = self.config.from_name or self.config.from_email
        if imported:
            subject = _("Do you still want the newsletter of {name}?")
            body = _(
                "Hello,\n\n"
                "some time ago you subscribed to the newsletter of {name}. It now comes from "
                "a new home, and it will keep reaching you only if you confirm, by opening "
                "this link within {hours} hours:\n\n"
                "{confirm_url}\n\n"
                "If you do nothing, you will receive nothing more. To stop any further "
                "request for this address:\n\n"
                "{unsubscribe_url}\n"
            )
        else:
            subject = _("Confirm your subscription to {name}")
            body = _(
                "Hello,\n\n"
                "to complete your subscription to the newsletter of {name}, open this link "
                "within {hours} hours:\n\n"
                "{confirm_url}\n\n"
                "Until you do, you will receive nothing. If you did not ask to subscribe, just "
                "ignore this message. To stop any further request for this address:\n\n"
                "{unsubscribe_url}\n"
            )
        text = body.format(
            name=name,
            hours=self.config.confirm_hours,
            confirm_url=self.confirm_url(confirm_token),
            unsubscribe_url=self.unsubscribe_url(unsubscribe_token),
        )
        return plain_message(
            sender=sender_address(self.config.from_name, self.config.from_email),
            to=email,
            subject=subject.format(name=name),
            text=text,
            date=self.now(),
            reply_to=self.config.reply_to,
            headers={"Content-Language": lang, "Auto-Submitted": "auto-generated"},
        )

    def _use_token(self, token: str, purpose: TokenPurpose) -> sqlite3.Row:
        """Return the token's row joined with its subscriber, or raise a :class:`TokenError`."""
        with self._connect() as db:
            row = db.execute(
                "SELECT tokens.*, subscribers.status FROM tokens"
                " JOIN subscribers ON subscribers.id = tokens.subscriber_id"
                " WHERE tokens.hash = ? AND tokens.purpose = ?",
                (token_hash(token), purpose),
            ).fetchone()
        if row is None:
            raise TokenUnknown(NAME, f"this {purpose} link is not valid")
        return row

    def confirm(self, token: str) -> None:
        """Confirm the subscription the confirmation ``token`` belongs to, then send the
        site's welcome mail if it has one (:meth:`send_welcome`: once per address, ever).

        Raises :class:`TokenUnknown` (not ours, or used after the reader unsubscribed) or
        :class:`TokenExpired`. Opening the same link twice is not an error (and retries a
        welcome that could not be sent the first time).
        """
        row = self._use_token(token, "confirm")
        if row["status"] == "confirmed":
            self.send_welcome(row["subscriber_id"])
            return
        if row["used_at"] is not None:
            raise TokenUnknown(NAME, "this confirmation link was already used")
        now = self.now()
        expires = _when(row["expires_at"])
        if expires is not None and now >= expires:
            raise TokenExpired(NAME, f"this confirmation link expired on {_iso(expires)}")
        with self._connect() as db:
            db.execute(
                "UPDATE subscribers SET status = 'confirmed', confirmed_at = ?,"
                " unsubscribed_at = NULL WHERE id = ?",
                (_iso(now), row["subscriber_id"]),
            )
            db.execute("UPDATE tokens SET used_at = ? WHERE hash = ?", (_iso(now), row["hash"]))
        self.send_welcome(row["subscriber_id"])

    def send_welcome(self, subscriber_id: int) -> bool:
        """Mail the welcome (``content/newsletter/welcome.md``, rendered by the build into
        :func:`~condividi.newsletter.welcome.welcome_folder`) to a confirmed subscriber, in
        their language; return True if it was sent now.

        An address gets it at most once, ever (table ``welcomes``, claimed before sending:
        an unsubscribe and a new signup do not bring a second one). A welcome the SMTP server
        does not take is logged, its claim dropped, so opening the confirmation link again
        retries it; the confirmation itself never fails for it.
        """
        with self._connect() as db:
            reader = db.execute(
                "SELECT email, lang, status FROM subscribers WHERE id = ?", (subscriber_id,)
            ).fetchone()
        if reader is None or reader["status"] != "confirmed":
            return False
        mail = load_welcome(welcome_folder(self.config.local_db), reader["lang"])
        if mail is None:
            return False
        with self._connect() as db:
            claimed = db.execute(
                "INSERT INTO welcomes (subscriber_id, sent_at) VALUES (?, ?)"
                " ON CONFLICT (subscriber_id) DO NOTHING",
                (subscriber_id, _iso(self.now())),
            ).rowcount
            if not claimed:
                return False
            token = self._issue_token(db, subscriber_id, "unsubscribe")
        sender = sender_address(self.config.from_name, self.config.from_email)
        message = edition_message(
            Edition(
                key="welcome",
                subject=mail.subject,
                html=mail.html,
                text=mail.text,
                url="",
                lang=mail.lang,
            ),
            sender=sender,
            to=reader["email"],
            unsubscribe_url=self.unsubscribe_url(token),
            date=self.now(),
            reply_to=self.config.reply_to,
            list_id=f"<newsletter.{sender.rpartition('@')[2].rstrip('>')}>",
        )
        try:
            with self.mailer_factory() as mailer:
                mailer.send(message)
        except (smtplib.SMTPException, OSError) as error:
            with self._connect() as db:
                db.execute("DELETE FROM welcomes WHERE subscriber_id = ?", (subscriber_id,))
            log.warning("newsletter: no welcome mail to %s: %s", reader["email"], error)
            return False
        return True

    def unsubscribe(self, token: str) -> None:
        """Unsubscribe the reader the unsubscribe ``token`` belongs to (idempotent).

        Raises :class:`TokenUnknown` when the token is not ours. These links never expire.
        """
        row = self._use_token(token, "unsubscribe")
        if row["status"] == "unsubscribed":
            return
        now = _iso(self.now())
        with self._connect() as db:
            db.execute(
                "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ? WHERE id = ?",
                (now, row["subscriber_id"]),
            )
            db.execute("UPDATE tokens SET used_at = ? WHERE hash = ?", (now, row["hash"]))

    def subscriber(self, email: str) -> Subscriber | None:
        """Return the stored record of ``email`` (any letter case), or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM subscribers WHERE email_key = ?", (_email_key(email),)
            ).fetchone()
        if row is None:
            return None
        return Subscriber(
            id=row["id"],
            email=row["email"],
            status=row["status"],
            lang=row["lang"],
            consent_at=_when(row["consent_at"]),
            privacy_policy_version=row["privacy_policy_version"],
            created_at=datetime.fromisoformat(row["created_at"]),
            confirmed_at=_when(row["confirmed_at"]),
            unsubscribed_at=_when(row["unsubscribed_at"]),
        )

    # -- delivering ------------------------------------------------------------------------

    def deliver(self, edition: Edition) -> Delivery:
        """Email ``edition`` to every confirmed subscriber and record it.

        Each reader gets their own copy with their own unsubscribe link and is recorded once
        sent, so calling again after an interruption resumes with the readers not yet served;
        once the delivery is ``sent`` a new call sends nothing. A recipient the SMTP server
        refuses is recorded with the error and skipped. Raises :class:`ProviderDown` when the
        mail cannot go out at all (the delivery stays ``sending``).
        """
        with self._connect() as db:
            db.execute(
                "INSERT INTO deliveries (key, subject, url, status, started_at)"
                " VALUES (?, ?, ?, 'sending', ?) ON CONFLICT (key) DO NOTHING",
                (edition.key, edition.subject, edition.url, _iso(self.now())),
            )
            delivery = db.execute(
                "SELECT id, status FROM deliveries WHERE key = ?", (edition.key,)
            ).fetchone()
            pending = db.execute(
                "SELECT id, email FROM subscribers WHERE status = 'confirmed' AND id NOT IN"
                " (SELECT subscriber_id FROM delivery_recipients WHERE delivery_id = ?)"
                " ORDER BY id",
                (delivery["id"],),
            ).fetchall()
        if delivery["status"] == "sent":
            return Delivery(edition.key, self._delivery_id(delivery["id"]), "sent")
        sender = sender_address(self.config.from_name, self.config.from_email)
        list_id = f"<newsletter.{sender.rpartition('@')[2].rstrip('>')}>"
        try:
            with self.mailer_factory() as mailer:
                for subscriber in pending:
                    with self._connect() as db:
                        token = self._issue_token(db, subscriber["id"], "unsubscribe")
                    message = edition_message(
                        edition,
                        sender=sender,
                        to=subscriber["email"],
                        unsubscribe_url=self.unsubscribe_url(token),
                        date=self.now(),
                        reply_to=self.config.reply_to,
                        list_id=list_id,
                    )
                    error = None
                    try:
                        mailer.send(message)
                    except smtplib.SMTPRecipientsRefused as refused:
                        error = str(refused.recipients)
                    with self._connect() as db:
                        db.execute(
                            "INSERT INTO delivery_recipients"
                            " (delivery_id, subscriber_id, sent_at, error) VALUES (?, ?, ?, ?)",
                            (delivery["id"], subscriber["id"], _iso(self.now()), error),
                        )
        except (smtplib.SMTPException, OSError) as error:
            raise ProviderDown(NAME, f"delivery of {edition.key!r} stopped: {error}") from error
        with self._connect() as db:
            db.execute(
                "UPDATE deliveries SET status = 'sent', finished_at = ? WHERE id = ?",
                (_iso(self.now()), delivery["id"]),
            )
        return Delivery(edition.key, self._delivery_id(delivery["id"]), "sent")

    def find_delivery(self, edition: Edition) -> Delivery | None:
        """Return the recorded delivery of ``edition`` (``sending`` or ``sent``), or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, status FROM deliveries WHERE key = ?", (edition.key,)
            ).fetchone()
        if row is None:
            return None
        return Delivery(edition.key, self._delivery_id(row["id"]), row["status"])

    def recipients(self, edition: Edition) -> list[tuple[str, str | None]]:
        """Return ``(email, error)`` for each reader ``edition`` was sent to, in order."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT subscribers.email, delivery_recipients.error FROM delivery_recipients"
                " JOIN deliveries ON deliveries.id = delivery_recipients.delivery_id"
                " JOIN subscribers ON subscribers.id = delivery_recipients.subscriber_id"
                " WHERE deliveries.key = ? ORDER BY delivery_recipients.subscriber_id",
                (edition.key,),
            ).fetchall()
        return [(row["email"], row["error"]) for row in rows]

    @staticmethod
    def _delivery_id(row_id: int) -> str:
        return f"local-{row_id}"
