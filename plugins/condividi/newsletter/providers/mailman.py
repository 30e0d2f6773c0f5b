"""Mailman 3 Core, self-hosted: its REST API (``/3.1``) and its posting address.

``NEWSLETTER_API_URL`` is the REST root (``http://localhost:8001``), ``NEWSLETTER_API_KEY`` is
``user:password`` of the REST admin, ``NEWSLETTER_LIST_ID`` the list (``news.example.org`` or
``news@example.org``).

Subscribe: ``POST /3.1/members``. With double opt-in, ``pre_verified``/``pre_confirmed`` are
false: Mailman mails the reader a confirmation and answers 202 (pending); without, 201. A member
or a pending request is a 409.
Deliver: Mailman has no campaigns. The edition is posted to the list's address as a
multipart/alternative message, over SMTP to the MTA in front of Mailman or over LMTP straight
to Mailman (``NEWSLETTER_MAILMAN_POST_URL``); Mailman adds List-Unsubscribe headers and its
footer. The sender (``NEWSLETTER_FROM_EMAIL``) must be allowed to post: a member, or a
nonmember whose moderation action is "accept", otherwise the post is held for a moderator.
The post is not retried: once the server accepted the DATA, a second post would be a second
email.
Find: Mailman keeps no record of distributed posts in Core (archives live in HyperKitty), so
``find_delivery`` can only see a post *held* for moderation (by its Message-ID) and otherwise
returns None; ``can_find_deliveries`` is False so the ledger never re-sends on that None alone.
"""

from __future__ import annotations

import base64
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any
from urllib.parse import quote, urlsplit

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    Delivery,
    Edition,
    ImportStatus,
    InvalidAddress,
    ProviderDown,
    ProviderError,
    RejectedRequest,
    SubscribeResult,
    Subscription,
)
from condividi.newsletter.providers.common import edition_marker
from condividi.newsletter.providers.hosted import require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, HttpClient, require

POST_SCHEMES = {"smtp": 25, "lmtp": 24}


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return HTTP Basic auth from the ``user:password`` key."""
    token = base64.b64encode(str(config.api_key).encode()).decode()
    return {"Authorization": f"Basic {token}"}


def post_target(config: NewsletterConfig) -> tuple[str, str, int]:
    """Return (scheme, host, port) of ``NEWSLETTER_MAILMAN_POST_URL`` or raise ConfigError."""
    parts = urlsplit(config.mailman_post_url)
    if parts.scheme not in POST_SCHEMES or not parts.hostname:
        raise ConfigError(
            f"setting NEWSLETTER_MAILMAN_POST_URL = {config.mailman_post_url!r} is not valid: "
            "use smtp://host:port (your MTA) or lmtp://host:port (Mailman's LMTP runner)"
        )
    return parts.scheme, parts.hostname, parts.port or POST_SCHEMES[parts.scheme]


def subscribe_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the request subscribing the address as a regular member of the list."""
    confirmed = not config.double_opt_in
    return ApiRequest(
        "POST",
        "/3.1/members",
        json={
            "list_id": list_id(config),
            "subscriber": subscription.email,
            "display_name": subscription.name,
            "pre_verified": confirmed,
            "pre_confirmed": confirmed,
        },
    )


def subscribe_result(response: ApiResponse) -> SubscribeResult:
    """Return pending for 202 (a token waits for the reader or a moderator), else subscribed."""
    if response.status == 202:
        return SubscribeResult("pending", (response.payload or {}).get("token"))
    location = response.headers.get("location", "")
    return SubscribeResult("subscribed", location.rstrip("/").rsplit("/", 1)[-1] or None)


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return AlreadySubscribed (409: member or pending) or InvalidAddress (the subscriber
    field could not be converted, or the address is refused)."""
    if status == 409:
        return AlreadySubscribed
    if status == 400 and ("subscriber" in message or "address" in message.lower()):
        return InvalidAddress
    return None


def list_id(config: NewsletterConfig) -> str:
    """Return the list id (``news.example.org``) from the list setting in either form."""
    value = str(config.list_id)
    if "@" in value:
        local, domain = value.split("@", 1)
        return f"{local}.{domain}"
    return value


def message_id(edition: Edition, config: NewsletterConfig) -> str:
    """Return the post's Message-ID: the same for the same edition, so it can be found."""
    domain = config.from_email.rsplit("@", 1)[-1] or "localhost"
    return f"<{edition_marker(edition.key)}@{domain}>"


def build_post(edition: Edition, config: NewsletterConfig, posting_address: str) -> EmailMessage:
    """Return the edition as a message to the list: plain text with an HTML alternative."""
    msg = EmailMessage()
    msg["From"] = formataddr((config.from_name, config.from_email))
    msg["To"] = posting_address
    msg["Subject"] = edition.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(edition, config)
    msg["Content-Language"] = edition.lang
    if config.reply_to:
        msg["Reply-To"] = config.reply_to
    msg.set_content(edition.text)
    msg.add_alternative(edition.html, subtype="html")
    return msg


def list_request(config: NewsletterConfig) -> ApiRequest:
    """Return the request reading the list (its posting address)."""
    return ApiRequest("GET", f"/3.1/lists/{quote(list_id(config))}")


def held_request(config: NewsletterConfig) -> ApiRequest:
    """Return the request listing posts held for moderation."""
    return ApiRequest("GET", f"/3.1/lists/{quote(list_id(config))}/held")


def match_held(payload: Any, edition: Edition, config: NewsletterConfig) -> Delivery | None:
    """Return a "held" delivery when the edition's post waits for a moderator."""
    wanted = message_id(edition, config)
    for entry in (payload or {}).get("entries", []):
        if entry.get("message_id") == wanted:
            return Delivery(edition.key, str(entry.get("request_id", wanted)), "held")
    return None


class MailmanProvider:
    """Mailman 3 Core: REST for members and moderation, SMTP/LMTP for posts."""

    name = "mailman"
    can_find_deliveries = False
    consent_record = None
    consent_record_missing = "Mailman Core keeps no note with a member"
    # A member or a pending request for the address is a 409: no second confirmation mail.
    repeat_subscribe_is_safe = True

    def __init__(self, config: NewsletterConfig) -> None:
        require_settings(
            config,
            "mailman",
            api_url="the REST root of Mailman Core (http://localhost:8001)",
            api_key="'user:password' of the REST admin",
            list_id="the list (news.example.org or news@example.org)",
        )
        if ":" not in str(config.api_key):
            raise ConfigError(
                "environment variable NEWSLETTER_API_KEY must be 'user:password' "
                "with provider mailman"
            )
        self.post_via = post_target(config)
        self.config = config
        self.http = HttpClient(
            self.name, str(config.api_url), auth_headers(config), config, error_mapper=map_error
        )
        self._posting_address: str | None = None

    def __repr__(self) -> str:
        return f"<MailmanProvider {self.http.base_url} {list_id(self.config)}>"

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        """See :class:`~.base.Provider`."""
        return subscribe_result(self.http.send(subscribe_request(self.config, subscription)))

    def import_status(self, email: str, import_id: str) -> ImportStatus:
        """See :class:`~.base.Provider`: not asked (a repeat is a 409), so ``unknown``."""
        return "unknown"

    def find_delivery(self, edition: Edition) -> Delivery | None:
        """Return the edition's post if it is held for moderation, else None (see module)."""
        return match_held(self.http.send(held_request(self.config)).payload, edition, self.config)

    def posting_address(self) -> str:
        """Return the list's posting address (``news@example.org``), asked once."""
        if self._posting_address is None:
            payload = self.http.send(list_request(self.config)).payload
            self._posting_address = str(require(payload, self.name, "fqdn_listname"))
        return self._posting_address

    def deliver(self, edition: Edition) -> Delivery:
        """Post ``edition`` to the list once; a post already held is returned as it is."""
        held = self.find_delivery(edition)
        if held is not None:
            return held
        msg = build_post(edition, self.config, self.posting_address())
        self._post(msg)
        return Delivery(edition.key, str(msg["Message-ID"]), "sending")

    def _post(self, msg: EmailMessage) -> None:
        scheme, host, port = self.post_via
        client_class = smtplib.LMTP if scheme == "lmtp" else smtplib.SMTP
        where = f"{scheme}://{host}:{port}"
        try:
            with client_class(host, port, timeout=self.config.timeout) as client:
                refused = client.send_message(msg)
        except (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected) as e:
            raise ProviderDown(self.name, f"posting to {where} failed: {e}") from None
        except smtplib.SMTPRecipientsRefused as e:
            raise RejectedRequest(self.name, f"{where} refused the list address: {e}") from None
        except smtplib.SMTPResponseException as e:
            text = e.smtp_error
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            cls = ProviderDown if 400 <= e.smtp_code < 500 else RejectedRequest
            raise cls(self.name, f"{where} answered {e.smtp_code} {text}") from None
        except OSError as e:
            raise ProviderDown(self.name, f"posting to {where} failed: {e}") from None
        if refused:
            raise RejectedRequest(self.name, f"{where} refused {sorted(refused)}")
