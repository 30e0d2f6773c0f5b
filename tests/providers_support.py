"""Local HTTP servers that follow each hosted provider's documented contract (providers.md).

One :class:`ContractServer` per test, on a free 127.0.0.1 port, in a thread. It checks the
provider's auth header, serves its paths with its JSON shapes and status codes (duplicates,
pending double opt-in, campaign create/send/list with filters and pages), keeps what it was
told in :attr:`ContractServer.state`, logs every request in :attr:`ContractServer.requests`,
and injects faults on demand:

- ``fail_next(status, times=1, retry_after=None, when=None, body=None, after=0)``: answer
  ``status`` (401, 403, 429, 500, ...) in the provider's own error format, without doing
  anything; ``after`` lets that many matching requests through first ("fails after N");
- ``delay_next(seconds, after_accept=True, times=1, when=None)``: with ``after_accept`` the
  request is carried out, then the answer waits past the client's time-out ("accepted, then
  timed out"); without, the server waits and drops the connection having done nothing.

``when`` is a regular expression matched against ``"METHOD /path"`` (e.g. ``"POST /campaigns$"``)
so a fault can target one step. Use the ``contract_server`` fixture:
``server = contract_server("mailchimp")``, then ``create_provider(server.config())``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import Edition

HOSTED = ("buttondown", "mailchimp", "brevo", "mailerlite", "kit", "listmonk")
# The call that subscribes an address, for each provider, as a "METHOD /path" pattern.
SUBSCRIBE = {
    "buttondown": r"^POST /subscribers$",
    "mailchimp": r"^POST /lists/\w+/members$",
    "brevo": r"^POST /contacts",
    "mailerlite": r"^POST /subscribers$",
    "kit": r"^POST /subscribers$",
    "listmonk": r"^POST /api/subscribers$",
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

Response = tuple[int, Any, dict[str, str]]


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 (what the providers send)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sample_edition(n: int = 1, **changes: Any) -> Edition:
    """Return a small, complete edition; ``n`` varies its key, subject and URL."""
    values: dict[str, Any] = {
        "key": f"tag:blog.example.org,2026-01-0{n % 9 + 1}:/posts/saggio-{n}/",
        "subject": f"Saggio numero {n}: sull'amicizia",
        "html": f"<p>Il testo del saggio {n}.</p>",
        "text": f"Il testo del saggio {n}.",
        "url": f"https://blog.example.org/posts/saggio-{n}/",
        "preheader": f"Un saggio breve, il numero {n}.",
        "published": datetime(2026, 1, n % 28 + 1, 8, 0, tzinfo=UTC),
    }
    values.update(changes)
    return Edition(**values)


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def line(self) -> str:
        """``"METHOD /path"``, what ``when=`` patterns are matched against."""
        return f"{self.method} {self.path}"


@dataclass
class Fault:
    status: int | None = None
    retry_after: float | None = None
    body: Any = None
    delay: float = 0.0
    after_accept: bool = True
    times: int = 1
    when: re.Pattern[str] | None = None
    after: int = 0


@dataclass
class State:
    """What the provider holds: subscribers by address, campaigns by id, sends, DOI mails."""

    subscribers: dict[str, dict[str, Any]] = field(default_factory=dict)
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    confirmations: list[str] = field(default_factory=list)
    forms: dict[str, set[str]] = field(default_factory=dict)
    idempotency: dict[str, Response] = field(default_factory=dict)


class Contract:
    """The behaviour of one provider; subclasses implement ``route`` and the error formats."""

    name: str
    prefix: str = ""

    def __init__(self, server: ContractServer) -> None:
        self.server = server
        self.state = server.state
        self.key = server.api_key
        self.ids = itertools.count(101)

    # -- formats ------------------------------------------------------------------------
    def error(self, status: int, message: str) -> Response:
        return status, {"message": message}, {}

    def unauthorized(self, status: int = 401) -> Response:
        return self.error(status, "Unauthenticated.")

    def rate_limited(self, retry_after: float | None) -> Response:
        status, body, headers = self.error(429, "Too Many Requests")
        if retry_after is not None:
            headers["Retry-After"] = _seconds(retry_after)
        return status, body, headers

    def server_error(self, status: int) -> Response:
        return self.error(status, "Internal Server Error")

    def fault_response(self, fault: Fault) -> Response:
        status = int(fault.status or 500)
        if fault.body is not None:
            response: Response = (status, fault.body, {})
        elif status in (401, 403):
            response = self.unauthorized(status)
        elif status == 429:
            return self.rate_limited(fault.retry_after)
        elif status >= 500:
            response = self.server_error(status)
        else:
            response = self.error(status, "Bad Request")
        if fault.retry_after is not None:
            response[2]["Retry-After"] = _seconds(fault.retry_after)
        return response

    # -- behaviour ----------------------------------------------------------------------
    def authorized(self, req: Recorded) -> bool:
        raise NotImplementedError

    def route(self, req: Recorded) -> Response:
        raise NotImplementedError

    def not_found(self) -> Response:
        return self.error(404, "Not Found")

    def page(self, items: list[Any], size: int, start: int) -> list[Any]:
        return items[start : start + min(size, self.server.page_size)]

    def confirm(self, email: str) -> None:
        self.state.confirmations.append(email)

    def confirmed(self, record: dict[str, Any]) -> None:
        """Turn a pending subscriber ``record`` into a confirmed one."""
        record["status"] = "subscribed"


def _seconds(value: float) -> str:
    """Return a Retry-After value: whole seconds, as RFC 9110 has it."""
    return str(math.ceil(value))


def _basic(req: Recorded) -> tuple[str, str] | None:
    header = req.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _next_url(server: ContractServer, req: Recorded, page: int) -> str:
    """Return the absolute URL of page ``page`` of the listing ``req`` asked for."""
    query = {**{k: v for k, v in req.query.items() if k != "page"}, "page": [str(page)]}
    return f"{server.url}{req.path}?{urlencode(query, doseq=True)}"


def _q(req: Recorded, name: str, default: str = "") -> str:
    return req.query.get(name, [default])[0]


class Buttondown(Contract):
    """Buttondown /v1: Token auth, X-API-Version semantics, idempotency keys, DRF pages."""

    name = "buttondown"
    prefix = "/v1"

    def error(self, status: int, message: str, code: str = "error") -> Response:
        return status, {"code": code, "detail": message}, {}

    def unauthorized(self, status: int = 401) -> Response:
        return status, {"detail": "Invalid token."}, {}

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0"}
        if retry_after is not None:
            headers["Retry-After"] = _seconds(retry_after)
        return 429, {"code": "rate_limited", "detail": "Request was throttled."}, headers

    def authorized(self, req: Recorded) -> bool:
        return req.headers.get("authorization") == f"Token {self.key}"

    def route(self, req: Recorded) -> Response:
        key = req.headers.get("x-idempotency-key")
        if key and key in self.state.idempotency:
            return self.state.idempotency[key]
        response = self._route(req)
        if key:
            self.state.idempotency[key] = response
        return response

    def _route(self, req: Recorded) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        if req.line == "POST /subscribers":
            email = str(body.get("email_address", ""))
            if not email:
                return self.error(400, "An email address is required.", "email_empty")
            if not EMAIL_RE.match(email):
                return self.error(400, "The email address provided is not valid.", "email_invalid")
            existing = self.state.subscribers.get(email.lower())
            if existing:
                return (
                    400,
                    {
                        "code": "email_already_exists",
                        "detail": "A subscriber with this email address already exists.",
                        "metadata": {"subscriber_id": existing["id"]},
                    },
                    {},
                )
            kind = body.get("type") or ("unactivated" if self.server.double_opt_in else "regular")
            record = {
                "id": str(uuid.uuid4()),
                "email_address": email,
                "type": kind,
                "metadata": body.get("metadata") or {},
                "notes": body.get("notes") or "",
                "creation_date": now_iso(),
            }
            self.state.subscribers[email.lower()] = record
            if kind == "unactivated":
                self.confirm(email)
            return 201, record, {}
        if req.line == "POST /emails":
            if not body.get("subject"):
                return self.error(400, "A subject is required.", "subject_invalid")
            pinned = req.headers.get("x-api-version", "2024-01-01")
            status = body.get("status") or ("draft" if pinned >= "2026-04-01" else "about_to_send")
            live = req.headers.get("x-buttondown-live-dangerously") == "true"
            if status == "about_to_send" and pinned >= "2026-04-01" and not live:
                return self.error(
                    400, "Sending from the API needs confirmation.", "sending_requires_confirmation"
                )
            record = {
                "id": str(uuid.uuid4()),
                "subject": body["subject"],
                "body": body.get("body", ""),
                "status": status,
                "metadata": body.get("metadata") or {},
                "canonical_url": body.get("canonical_url", ""),
                "description": body.get("description", ""),
                "creation_date": now_iso(),
            }
            self.state.campaigns[record["id"]] = record
            if status == "about_to_send":
                self._send(record)
            return 201, record, {}
        match = re.fullmatch(r"PATCH /emails/([\w-]+)", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.error(404, "Not found.", "not_found")
            if body.get("status") == "about_to_send":
                if record["status"] != "draft":
                    return self.error(400, "This email has already been sent.", "email_sent")
                self._send(record)
            return 200, record, {}
        if req.line == "GET /emails":
            wanted = set(req.query.get("status", []))
            items = sorted(self.state.campaigns.values(), key=lambda r: r["creation_date"])
            items = [r for r in items if not wanted or r["status"] in wanted]
            page = int(_q(req, "page", "1"))
            size = self.server.page_size
            chunk = items[(page - 1) * size : page * size]
            more = page * size < len(items)
            next_url = _next_url(self.server, req, page + 1) if more else None
            return (
                200,
                {"results": chunk, "next": next_url, "previous": None, "count": len(items)},
                {},
            )
        return self.error(404, "Not found.", "not_found")

    def confirmed(self, record: dict[str, Any]) -> None:
        record["type"] = "regular"

    def _send(self, record: dict[str, Any]) -> None:
        record["status"] = "sent"
        self.state.sent.append(record["id"])


class Mailchimp(Contract):
    """Mailchimp /3.0: Basic auth (key as password), problem+json errors, campaign actions."""

    name = "mailchimp"
    prefix = "/3.0"

    def error(self, status: int, message: str, title: str = "Bad Request") -> Response:
        body = {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": title,
            "status": status,
            "detail": message,
            "instance": str(uuid.uuid4()),
        }
        return status, body, {"Content-Type": "application/problem+json"}

    def unauthorized(self, status: int = 401) -> Response:
        return self.error(
            status,
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            "API Key Invalid",
        )

    def rate_limited(self, retry_after: float | None) -> Response:
        status, body, headers = self.error(
            429, "You have exceeded the limit of 10 simultaneous connections.", "Too Many Requests"
        )
        if retry_after is not None:
            headers["Retry-After"] = _seconds(retry_after)
        return status, body, headers

    def not_found(self) -> Response:
        return self.error(404, "The requested resource could not be found.", "Resource Not Found")

    def authorized(self, req: Recorded) -> bool:
        basic = _basic(req)
        if basic is not None:
            return basic[1] == self.key
        return req.headers.get("authorization") == f"Bearer {self.key}"

    def route(self, req: Recorded) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        match = re.fullmatch(r"POST /lists/(\w+)/members", req.line)
        if match:
            if match[1] != self.server.list_id:
                return self.not_found()
            email = str(body.get("email_address", ""))
            status = body.get("status")
            if status not in ("subscribed", "unsubscribed", "cleaned", "pending", "transactional"):
                return self.error(
                    400, "The resource submitted could not be validated.", "Invalid Resource"
                )
            if not EMAIL_RE.match(email):
                return self.error(
                    400,
                    f"{email} looks fake or invalid, please enter a real email address.",
                    "Invalid Resource",
                )
            if email.lower() in self.state.subscribers:
                return self.error(
                    400,
                    f"{email} is already a list member. Use PUT to insert or update list members.",
                    "Member Exists",
                )
            tags = body.get("tags") or []
            if not all(isinstance(t, str) and 0 < len(t) <= 100 for t in tags):
                return self.error(400, "Tag names must be 1 to 100 characters.", "Invalid Resource")
            record = {
                "id": hashlib.md5(email.lower().encode()).hexdigest(),
                "email_address": email,
                "status": status,
                "list_id": match[1],
                "timestamp_signup": body.get("timestamp_signup", ""),
                "tags": [{"id": n, "name": t} for n, t in enumerate(tags, start=1)],
                "notes": [],
            }
            self.state.subscribers[email.lower()] = record
            if status == "pending":
                self.confirm(email)
            return 200, record, {}
        match = re.fullmatch(r"(GET|POST) /lists/(\w+)/members/([0-9a-f]{32})(/notes)?", req.line)
        if match:
            found = [r for r in self.state.subscribers.values() if r["id"] == match[3]]
            if match[2] != self.server.list_id or not found:
                return self.not_found()
            member = found[0]
            if match[1] == "GET" and not match[4]:
                return 200, member, {}
            if match[1] == "POST" and match[4]:
                note = body.get("note")
                if not isinstance(note, str) or not note or len(note) > 1000:
                    return self.error(
                        400, "The note must be 1 to 1000 characters.", "Invalid Resource"
                    )
                entry = {"note_id": next(self.ids), "created_at": now_iso(), "note": note}
                member["notes"].append(entry)
                member["last_note"] = entry
                return 200, entry, {}
        if req.line == "POST /campaigns":
            if body.get("type") != "regular":
                return self.error(400, "Campaign type is required.", "Invalid Resource")
            if (body.get("recipients") or {}).get("list_id") != self.server.list_id:
                return self.error(400, "The list does not exist.", "Invalid Resource")
            record = {
                "id": uuid.uuid4().hex[:10],
                "type": "regular",
                "status": "save",
                "create_time": f"{now_iso()}#{next(self.ids):06d}",
                "recipients": body["recipients"],
                "settings": body.get("settings") or {},
                "content": None,
            }
            self.state.campaigns[record["id"]] = record
            return 200, record, {}
        match = re.fullmatch(r"PUT /campaigns/(\w+)/content", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.not_found()
            if record["status"] != "save":
                return self.error(400, "Sent campaigns cannot be changed.")
            record["content"] = {"html": body.get("html"), "plain_text": body.get("plain_text")}
            return 200, record["content"], {}
        match = re.fullmatch(r"POST /campaigns/(\w+)/actions/send", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.not_found()
            if record["status"] != "save":
                return self.error(400, "This campaign has already been sent.")
            if not record["content"] or not record["content"].get("html"):
                return self.error(400, "Your Campaign is not ready to send.")
            record["status"] = "sent"
            self.state.sent.append(record["id"])
            return 204, None, {}
        if req.line == "GET /campaigns":
            items = sorted(
                self.state.campaigns.values(), key=lambda r: r["create_time"], reverse=True
            )
            for name in ("list_id", "type", "status"):
                value = _q(req, name)
                if value and name == "list_id":
                    items = [r for r in items if r["recipients"]["list_id"] == value]
                elif value:
                    items = [r for r in items if r[name] == value]
            start = int(_q(req, "offset", "0"))
            chunk = self.page(items, int(_q(req, "count", "10")), start)
            return 200, {"campaigns": chunk, "total_items": len(items)}, {}
        return self.not_found()


class Brevo(Contract):
    """Brevo /v3: api-key header, {code, message} errors, 429 with x-sib-ratelimit-* only."""

    name = "brevo"
    prefix = "/v3"

    def error(self, status: int, message: str, code: str = "bad_request") -> Response:
        return status, {"code": code, "message": message}, {}

    def unauthorized(self, status: int = 401) -> Response:
        return self.error(status, "Key not found", "unauthorized")

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {"x-sib-ratelimit-limit": "100", "x-sib-ratelimit-remaining": "0"}
        if retry_after is not None:
            headers["x-sib-ratelimit-reset"] = _seconds(retry_after)
        return 429, {"code": "too_many_requests", "message": "Too many requests"}, headers

    def authorized(self, req: Recorded) -> bool:
        return req.headers.get("api-key") == self.key

    def route(self, req: Recorded) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        lists = {int(self.server.list_id)}
        if req.line == "POST /contacts/doubleOptinConfirmation":
            for name in ("email", "includeListIds", "templateId", "redirectionUrl"):
                if not body.get(name):
                    return self.error(400, f"{name} is missing", "missing_parameter")
            email = str(body["email"])
            if not EMAIL_RE.match(email):
                return self.error(400, "Invalid email address", "invalid_parameter")
            if not set(body["includeListIds"]) <= lists:
                return self.error(404, "List ID does not exist", "document_not_found")
            if email.lower() in self.state.subscribers:
                return 204, None, {}
            self.state.subscribers[email.lower()] = {
                "id": next(self.ids),
                "email": email,
                "status": "pending",
                "listIds": body["includeListIds"],
            }
            self.confirm(email)
            return 201, None, {}
        if req.line == "POST /contacts":
            email = str(body.get("email", ""))
            if not EMAIL_RE.match(email):
                return self.error(400, "Invalid email address", "invalid_parameter")
            if email.lower() in self.state.subscribers and not body.get("updateEnabled"):
                return (
                    400,
                    {
                        "code": "duplicate_parameter",
                        "message": "Unable to create contact, email is already associated "
                        "with another Contact",
                        "metadata": {"duplicate_identifiers": ["email"]},
                    },
                    {},
                )
            record = {"id": next(self.ids), "email": email, "status": "subscribed"}
            self.state.subscribers[email.lower()] = record
            return 201, {"id": record["id"]}, {}
        if req.line == "POST /emailCampaigns":
            for name in ("name", "sender"):
                if not body.get(name):
                    return self.error(400, f"{name} is missing", "missing_parameter")
            record = {
                "id": next(self.ids),
                "name": body["name"],
                "subject": body.get("subject"),
                "type": "classic",
                "status": "draft",
                "tag": body.get("tag"),
                "recipients": body.get("recipients"),
                "htmlContent": body.get("htmlContent"),
                "createdAt": now_iso(),
            }
            self.state.campaigns[str(record["id"])] = record
            return 201, {"id": record["id"]}, {}
        match = re.fullmatch(r"POST /emailCampaigns/(\d+)/sendNow", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.error(404, "Campaign does not exist", "document_not_found")
            if record["status"] != "draft":
                return self.error(400, "Campaign has already been sent", "campaign_sent")
            record["status"] = "sent"
            self.state.sent.append(match[1])
            return 204, None, {}
        if req.line == "GET /emailCampaigns":
            items = sorted(self.state.campaigns.values(), key=lambda r: r["id"], reverse=True)
            for name in ("type", "status"):
                if _q(req, name):
                    items = [r for r in items if r[name] == _q(req, name)]
            chunk = self.page(items, int(_q(req, "limit", "50")), int(_q(req, "offset", "0")))
            return 200, {"campaigns": chunk, "count": len(items)}, {}
        return self.error(404, "Not found", "document_not_found")


class MailerLite(Contract):
    """MailerLite /api: Bearer token, Laravel-style 422s, upsert subscribers, filtered lists."""

    name = "mailerlite"
    prefix = "/api"

    def unauthorized(self, status: int = 401) -> Response:
        return self.error(status, "Unauthenticated.")

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {"X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "0"}
        if retry_after is not None:
            headers["Retry-After"] = _seconds(retry_after)
        return 429, {"message": "Too Many Attempts."}, headers

    def confirmed(self, record: dict[str, Any]) -> None:
        record["status"] = "active"

    def invalid(self, field_name: str, message: str) -> Response:
        return 422, {"message": message, "errors": {field_name: [message]}}, {}

    def authorized(self, req: Recorded) -> bool:
        return req.headers.get("authorization") == f"Bearer {self.key}"

    def route(self, req: Recorded) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        if req.line == "POST /subscribers":
            email = str(body.get("email", ""))
            if not EMAIL_RE.match(email):
                return self.invalid("email", "The email must be a valid email address.")
            for group in body.get("groups") or []:
                if group != self.server.list_id:
                    return self.invalid("groups.0", "The selected groups.0 is invalid.")
            existing = self.state.subscribers.get(email.lower())
            if existing:
                return 200, {"data": existing}, {}
            status = body.get("status") or "active"
            record = {"id": str(next(self.ids)), "email": email, "status": status}
            self.state.subscribers[email.lower()] = record
            if status == "unconfirmed":
                self.confirm(email)
            return 201, {"data": record}, {}
        if req.line == "POST /campaigns":
            emails = body.get("emails") or [{}]
            for name in ("subject", "from_name", "from", "content"):
                if not emails[0].get(name):
                    return self.invalid(
                        f"emails.0.{name}", f"The emails.0.{name} field is required."
                    )
            record = {
                "id": str(next(self.ids)),
                "name": body.get("name"),
                "type": body.get("type", "regular"),
                "status": "draft",
                "emails": emails,
                "groups": body.get("groups") or [],
                "created_at": now_iso(),
            }
            self.state.campaigns[record["id"]] = record
            return 201, {"data": record}, {}
        match = re.fullmatch(r"POST /campaigns/(\d+)/schedule", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.error(404, "Resource not found.")
            if record["status"] != "draft":
                return self.invalid("campaign", "Campaign is not a draft and cannot be scheduled.")
            if body.get("delivery") != "instant":
                return self.invalid("delivery", "The selected delivery is invalid.")
            record["status"] = "sent"
            self.state.sent.append(record["id"])
            return 200, {"data": record}, {}
        if req.line == "GET /campaigns":
            status = _q(req, "filter[status]", "ready")
            kind = _q(req, "filter[type]")
            items = [
                r
                for r in sorted(self.state.campaigns.values(), key=lambda r: int(r["id"]))
                if r["status"] == status and (not kind or r["type"] == kind)
            ]
            size = min(int(_q(req, "limit", "25")), self.server.page_size)
            page = int(_q(req, "page", "1"))
            last = max(1, -(-len(items) // size))
            chunk = items[(page - 1) * size : page * size]
            next_url = _next_url(self.server, req, page + 1) if page < last else None
            meta = {"current_page": page, "last_page": last, "per_page": size, "total": len(items)}
            return 200, {"data": chunk, "links": {"next": next_url}, "meta": meta}, {}
        return self.error(404, "Resource not found.")


class Kit(Contract):
    """Kit /v4: X-Kit-Api-Key, {errors: [...]}, upsert subscribers, DOI forms, cursor pages."""

    name = "kit"
    prefix = "/v4"

    def error(self, status: int, message: str) -> Response:
        return status, {"errors": [message]}, {}

    def unauthorized(self, status: int = 401) -> Response:
        return self.error(status, "The access token is invalid")

    def rate_limited(self, retry_after: float | None) -> Response:
        # Kit's 429 is plain text and carries no Retry-After (providers.md §4e).
        return 429, "Retry later", {"Content-Type": "text/plain"}

    def confirmed(self, record: dict[str, Any]) -> None:
        record["state"] = "active"

    def authorized(self, req: Recorded) -> bool:
        return req.headers.get("x-kit-api-key") == self.key

    def route(self, req: Recorded) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        if req.line == "POST /subscribers":
            email = str(body.get("email_address", ""))
            if not EMAIL_RE.match(email):
                return self.error(422, "Email address is invalid")
            existing = self.state.subscribers.get(email.lower())
            if existing:
                if body.get("first_name"):
                    existing["first_name"] = body["first_name"]
                return 200, {"subscriber": existing}, {}
            record = {
                "id": next(self.ids),
                "first_name": body.get("first_name"),
                "email_address": email,
                "state": body.get("state") or "active",
                "created_at": now_iso(),
                "fields": {},
            }
            self.state.subscribers[email.lower()] = record
            return 201, {"subscriber": record}, {}
        match = re.fullmatch(r"POST /forms/(\w+)/subscribers", req.line)
        if match:
            if match[1] != self.server.list_id:
                return self.error(404, "Not Found")
            email = str(body.get("email_address", ""))
            record = self.state.subscribers.get(email.lower())
            if record is None:
                return self.error(404, "Not Found")
            members = self.state.forms.setdefault(match[1], set())
            if email.lower() in members:
                return 200, {"subscriber": record}, {}
            members.add(email.lower())
            if self.server.double_opt_in and record["state"] == "inactive":
                self.confirm(email)
            return 201, {"subscriber": record}, {}
        if req.line == "POST /broadcasts":
            record = {
                "id": next(self.ids),
                "created_at": now_iso(),
                **{k: body.get(k) for k in ("subject", "content", "description", "preview_text")},
                "public": bool(body.get("public")),
                "send_at": body.get("send_at"),
            }
            record["status"] = "draft" if record["send_at"] is None else "scheduled"
            if record["send_at"] is not None:
                self.state.sent.append(str(record["id"]))
            self.state.campaigns[str(record["id"])] = record
            return 201, {"broadcast": record}, {}
        match = re.fullmatch(r"PUT /broadcasts/(\d+)", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.error(404, "Not Found")
            for name in ("subject", "content", "description", "preview_text", "public"):
                if name in body:
                    record[name] = body[name]
            if body.get("send_at") and record["send_at"] is None:
                self.state.sent.append(match[1])
            if "send_at" in body:
                record["send_at"] = body["send_at"]
            record["status"] = "draft" if record["send_at"] is None else "scheduled"
            return 200, {"broadcast": record}, {}
        if req.line == "GET /broadcasts":
            items = sorted(self.state.campaigns.values(), key=lambda r: r["id"])
            start = 0
            if _q(req, "after"):
                start = int(base64.b64decode(_q(req, "after")).decode()) + 1
            size = min(int(_q(req, "per_page", "500")), self.server.page_size)
            chunk = items[start : start + size]
            end = start + len(chunk) - 1
            pagination = {
                "has_previous_page": start > 0,
                "has_next_page": end + 1 < len(items),
                "start_cursor": base64.b64encode(str(start).encode()).decode(),
                "end_cursor": base64.b64encode(str(end).encode()).decode(),
                "per_page": size,
            }
            return 200, {"broadcasts": chunk, "pagination": pagination}, {}
        return self.error(404, "Not Found")


class Listmonk(Contract):
    """Listmonk: Basic (or "token") auth, {message} errors, campaign status transitions."""

    name = "listmonk"
    prefix = ""

    def unauthorized(self, status: int = 403) -> Response:
        return self.error(status, "invalid API credentials")

    def confirmed(self, record: dict[str, Any]) -> None:
        for entry in record["lists"]:
            entry["subscription_status"] = "confirmed"

    def authorized(self, req: Recorded) -> bool:
        basic = _basic(req)
        if basic is not None:
            return ":".join(basic) == self.key
        return req.headers.get("authorization") == f"token {self.key}"

    def route(self, req: Recorded) -> Response:
        body = req.body if isinstance(req.body, dict) else {}
        lists = {
            int(self.server.list_id): {"optin": "double" if self.server.double_opt_in else "single"}
        }
        if req.line == "POST /api/subscribers":
            email = str(body.get("email", ""))
            if not EMAIL_RE.match(email):
                return self.error(400, "Invalid email.")
            if email.lower() in self.state.subscribers:
                return self.error(409, "E-mail already exists.")
            entries = []
            for list_id in body.get("lists") or []:
                if list_id not in lists:
                    return self.error(400, "Invalid list ID.")
                optin = lists[list_id]["optin"]
                confirmed = body.get("preconfirm_subscriptions") or optin == "single"
                entries.append(
                    {
                        "id": list_id,
                        "name": "Newsletter",
                        "optin": optin,
                        "subscription_status": "confirmed" if confirmed else "unconfirmed",
                    }
                )
                if not confirmed:
                    self.confirm(email)
            record = {
                "id": next(self.ids),
                "uuid": str(uuid.uuid4()),
                "email": email,
                "name": body.get("name"),
                "status": body.get("status", "enabled"),
                "attribs": body.get("attribs") or {},
                "lists": entries,
            }
            self.state.subscribers[email.lower()] = record
            return 200, {"data": record}, {}
        if req.line == "POST /api/campaigns":
            for name in ("name", "subject", "lists"):
                if not body.get(name):
                    return self.error(400, f"invalid {name}")
            record = {
                "id": next(self.ids),
                "uuid": str(uuid.uuid4()),
                "status": "draft",
                "created_at": f"{now_iso()}#{next(self.ids):06d}",
                **{k: body.get(k) for k in ("name", "subject", "lists", "from_email", "type")},
                "tags": body.get("tags") or [],
                "body": body.get("body"),
                "altbody": body.get("altbody"),
            }
            self.state.campaigns[str(record["id"])] = record
            return 200, {"data": record}, {}
        match = re.fullmatch(r"PUT /api/campaigns/(\d+)/status", req.line)
        if match:
            record = self.state.campaigns.get(match[1])
            if record is None:
                return self.error(404, "Campaign not found.")
            allowed = {
                "draft": {"scheduled", "running"},
                "scheduled": {"draft", "running"},
                "paused": {"running", "cancelled"},
                "running": {"paused", "cancelled"},
            }
            wanted = body.get("status")
            if wanted not in allowed.get(record["status"], set()):
                return self.error(400, f"Cannot change status from {record['status']} to {wanted}.")
            record["status"] = wanted
            if wanted == "running":
                self.state.sent.append(match[1])
                record["status"] = "finished"
            return 200, {"data": record}, {}
        if req.line == "GET /api/campaigns":
            items = sorted(
                self.state.campaigns.values(),
                key=lambda r: r["created_at"],
                reverse=_q(req, "order", "desc") == "desc",
            )
            if _q(req, "status"):
                items = [r for r in items if r["status"] == _q(req, "status")]
            size = min(int(_q(req, "per_page", "20")), self.server.page_size)
            page = int(_q(req, "page", "1"))
            chunk = items[(page - 1) * size : page * size]
            data = {
                "results": chunk,
                "query": "",
                "total": len(items),
                "per_page": size,
                "page": page,
            }
            return 200, {"data": data}, {}
        return self.error(404, "Not found")


CONTRACTS: dict[str, type[Contract]] = {
    cls.name: cls for cls in (Buttondown, Mailchimp, Brevo, MailerLite, Kit, Listmonk)
}


class ContractServer:
    """A provider's API on 127.0.0.1, following its contract, with injectable faults."""

    def __init__(
        self,
        provider: str,
        *,
        api_key: str | None = None,
        list_id: str = "7",
        double_opt_in: bool = True,
        page_size: int = 2,
    ) -> None:
        self.provider = provider
        self.api_key = api_key or {
            "mailchimp": "0123456789abcdef0123456789abcdef-us6",
            "listmonk": "condividi_api:s3cret-listmonk-token",
        }.get(provider, f"{provider}-secret-key-{uuid.uuid4().hex[:12]}")
        self.list_id = list_id if provider != "mailchimp" else "a1b2c3d4e5"
        self.double_opt_in = double_opt_in
        # Small pages, so every look-up walks more than one page.
        self.page_size = page_size
        self.state = State()
        self.requests: list[Recorded] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.contract = CONTRACTS[provider](self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.root = f"http://127.0.0.1:{self.port}"
        self.url = self.root + self.contract.prefix
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __repr__(self) -> str:
        return f"<ContractServer {self.provider} {self.url}>"

    def start(self) -> ContractServer:
        """Start serving in a thread; return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake any delayed answer and stop serving."""
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ContractServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults and inspection -----------------------------------------------------------
    def fail_next(
        self,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        when: str | None = None,
        body: Any = None,
        after: int = 0,
    ) -> None:
        """Answer ``times`` matching requests with ``status`` (doing nothing), once ``after``
        of them went through normally."""
        pattern = re.compile(when) if when else None
        with self._lock:
            self._faults.append(
                Fault(status, retry_after, body, times=times, when=pattern, after=after)
            )

    def clear_faults(self) -> None:
        """Forget every fault not yet served: the provider is healthy again."""
        with self._lock:
            self._faults.clear()

    def delay_next(
        self, seconds: float, after_accept: bool = True, times: int = 1, when: str | None = None
    ) -> None:
        """Delay the next ``times`` matching answers by ``seconds`` (see the module doc)."""
        pattern = re.compile(when) if when else None
        with self._lock:
            self._faults.append(
                Fault(delay=seconds, after_accept=after_accept, times=times, when=pattern)
            )

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Return how many requests matched ``method`` and the ``path`` regular expression."""
        return sum(
            1
            for r in list(self.requests)
            if (method is None or r.method == method)
            and (path is None or re.fullmatch(path, r.path))
        )

    def hits(self, pattern: str) -> int:
        """Return how many requests had a ``"METHOD /path"`` that ``pattern`` searches into."""
        return sum(1 for r in list(self.requests) if re.search(pattern, r.line))

    def confirm_all(self) -> None:
        """Act as if every pending subscriber clicked the confirmation link."""
        with self._lock:
            for record in self.state.subscribers.values():
                self.contract.confirmed(record)

    def config(self, **overrides: Any) -> NewsletterConfig:
        """Return a NewsletterConfig for this server: its URL, key and list, short time-outs."""
        values: dict[str, Any] = {
            "provider": self.provider,
            "api_url": self.url,
            "api_key": self.api_key,
            "list_id": self.list_id,
            "double_opt_in": self.double_opt_in,
            "from_name": "Lettere da Condividi",
            "from_email": "autrice@example.org",
            "timeout": 2.0,
            "max_retries": 2,
            "backoff": 0.05,
            "max_retry_after": 1.0,
            "brevo_doi_template_id": 12,
            "brevo_doi_redirect_url": "https://blog.example.org/newsletter/grazie/",
        }
        values.update(overrides)
        return NewsletterConfig(**values)

    # -- serving -------------------------------------------------------------------------
    def _take_fault(self, req: Recorded) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.when is None or fault.when.search(req.line):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = split.path
        if self.contract.prefix and path.startswith(self.contract.prefix):
            path = path[len(self.contract.prefix) :]
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        req = Recorded(
            handler.command,
            path,
            parse_qs(split.query),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            raw,
        )
        with self._lock:
            self.requests.append(req)
        fault = self._take_fault(req)
        if fault is not None and fault.status is not None:
            self._write(handler, *self.contract.fault_response(fault))
            return
        if fault is not None and not fault.after_accept:
            self._stopping.wait(fault.delay)
            handler.close_connection = True
            return
        with self._lock:
            if not self.contract.authorized(req):
                response = self.contract.unauthorized()
            else:
                response = self.contract.route(req)
        if fault is not None:
            self._stopping.wait(fault.delay)
        self._write(handler, *response)

    def _write(
        self, handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]
    ) -> None:
        if isinstance(body, str):
            data = body.encode()
        else:
            data = b"" if body is None else json.dumps(body).encode()
        try:
            handler.send_response(status)
            if data and "Content-Type" not in headers:
                handler.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            # The client gave up (time-out) before the answer: what a real server sees too.
            pass


def _handler_for(server: ContractServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            server.handle(self)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def contract_server() -> Iterator[Callable[..., ContractServer]]:
    """Return a factory ``make(provider, **options)`` of started ContractServers.

    Options: ``api_key``, ``list_id``, ``double_opt_in``, ``page_size``. Every server is
    stopped after the test.
    """
    servers: list[ContractServer] = []

    def make(provider: str, **options: Any) -> ContractServer:
        server = ContractServer(provider, **options).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
