"""The one HTTP layer every hosted provider adapter goes through.

It puts a time-out on every call, retries with exponential backoff (urllib3's ``Retry``),
honours ``Retry-After`` up to ``max_retry_after`` seconds, and turns the final answer into our
errors, keeping the provider's message and never its secret.

Each request says how safely it may be repeated (:class:`Repeat`):

- ``SAFE``: reads, updates that set a state (PUT/PATCH), subscribing (a repeat at worst answers
  "already subscribed"), and Buttondown calls that carry an idempotency key. Retried after a
  refused connection, a time-out, a 429 or a 5xx.
- ``CREATE``: creating a draft campaign. Retried after a refused connection, a 429 or a 5xx (the
  provider says it did not do it), but NOT after a time-out: the draft may exist, and
  ``find_delivery`` will find it on the next run instead of a duplicate being made.
- ``SEND``: the call that emails the list. Retried only when the provider certainly did not act:
  a refused connection or a 429. After a time-out or a 5xx the ledger asks ``find_delivery``.
"""

from __future__ import annotations

import base64
import enum
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InvalidHeader,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    BadCredentials,
    InvalidAddress,
    ProviderDown,
    ProviderError,
    RateLimited,
    RejectedRequest,
)

log = logging.getLogger("condividi.newsletter.providers")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "condividi-newsletter/0.1 (+https://github.com/condividi)"
MAX_MESSAGE = 500


class Repeat(enum.Enum):
    """How safely a request may be sent again after a failure (see the module docstring)."""

    SAFE = "safe"
    CREATE = "create"
    SEND = "send"


@dataclass(frozen=True)
class ApiRequest:
    """One provider call, built by a pure function: method, path under the base URL, query
    parameters (pairs, so a name may repeat), JSON body, extra headers, and its repeat policy."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    repeat: Repeat = Repeat.SAFE

    def target(self) -> str:
        """Return the path with its query string, as sent."""
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path


@dataclass(frozen=True)
class ApiResponse:
    """A successful (2xx) answer: status, parsed JSON body (None when empty or not JSON) and
    headers (lower-cased names)."""

    status: int
    payload: Any
    headers: Mapping[str, str]


ErrorMapper = Callable[[int, Any, str], "type[ProviderError] | None"]


class _Retry(Retry):
    """urllib3's Retry that also reads provider-specific reset headers as Retry-After."""

    def __init__(self, *args: Any, retry_after_headers: tuple[str, ...] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.retry_after_headers = retry_after_headers

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.retry_after_headers = self.retry_after_headers
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        seconds = retry_after_seconds(response.headers, self.retry_after_headers)
        return None if seconds is None else min(seconds, self.retry_after_max)


def make_retry(
    config: NewsletterConfig, repeat: Repeat, retry_after_headers: tuple[str, ...] = ()
) -> Retry:
    """Return the urllib3 ``Retry`` for one request under ``repeat`` (see :class:`Repeat`)."""
    attempts = max(0, config.max_retries)
    statuses = {429} if repeat is Repeat.SEND else RETRY_STATUSES
    return _Retry(
        total=attempts,
        connect=attempts,
        read=attempts if repeat is Repeat.SAFE else 0,
        status=attempts,
        other=0,
        redirect=False,
        # None = any method: the repeat policy, not the HTTP verb, decides what is safe.
        allowed_methods=None,
        status_forcelist=statuses,
        backoff_factor=config.backoff,
        backoff_max=max(config.backoff, config.max_retry_after),
        retry_after_max=config.max_retry_after,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        retry_after_headers=tuple(retry_after_headers),
    )


def retry_after_seconds(
    headers: Mapping[str, str], extra_names: Iterable[str] = ()
) -> float | None:
    """Return the seconds a 429 asks us to wait (``Retry-After`` or a provider reset header).

    Takes the response headers (any case) and extra header names; returns None when absent.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after", *(n.lower() for n in extra_names)):
        value = (lowered.get(name) or "").strip()
        if not value:
            continue
        try:
            return float(Retry().parse_retry_after(value))
        except InvalidHeader:
            continue
    return None


def provider_message(payload: Any, text: str) -> str:
    """Return the provider's own error message from a parsed JSON ``payload`` or raw ``text``.

    Understands the shapes the supported providers use: ``detail``/``message``/``title``/
    ``description`` strings, ``errors`` lists or field maps, and ``detail`` lists (422).
    """
    parts: list[str] = []
    if isinstance(payload, Mapping):
        title = payload.get("title")
        for key in ("detail", "message", "description", "msg"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                parts.append(value)
                break
            if isinstance(value, list) and value:
                parts.extend(_flatten(value))
                break
        errors = payload.get("errors")
        if errors:
            # Laravel repeats the message per field ("email: <message>"): keep it once.
            parts.extend(e for e in _flatten(errors) if e.split(": ", 1)[-1] not in parts)
        if isinstance(title, str) and title and title not in parts:
            parts.insert(0, title)
        code = payload.get("code")
        if isinstance(code, str) and code and not any(code in p for p in parts):
            parts.insert(0, code)
    elif isinstance(payload, list):
        parts.extend(_flatten(payload))
    message = ": ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
    if not message:
        message = " ".join(text.split())
    return message[:MAX_MESSAGE] or "no message"


def _flatten(value: Any) -> list[str]:
    """Return the strings inside nested error lists and field maps."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        if "msg" in value or "message" in value:
            text = str(value.get("msg") or value.get("message"))
            loc = value.get("loc") or value.get("field")
            return [f"{_loc(loc)}: {text}" if loc else text]
        out = []
        for key, item in value.items():
            out.extend(f"{key}: {text}" for text in _flatten(item))
        return out
    if isinstance(value, list):
        return [text for item in value for text in _flatten(item)]
    return [str(value)]


def _loc(loc: Any) -> str:
    return ".".join(str(x) for x in loc) if isinstance(loc, list) else str(loc)


def error_class(status: int) -> type[ProviderError]:
    """Return our error class for a final HTTP ``status`` (4xx or 5xx) without provider rules."""
    if status in (401, 403):
        return BadCredentials
    if status == 429:
        return RateLimited
    if status >= 500:
        return ProviderDown
    return RejectedRequest


def secrets_of(api_key: str | None) -> tuple[str, ...]:
    """Return the strings that must never be shown for ``api_key``: the key itself, the
    password of a ``user:password`` key, and their Basic-auth encodings."""
    if not api_key:
        return ()
    found = {api_key}
    if ":" in api_key:
        password = api_key.split(":", 1)[1]
        if len(password) >= 4:
            found.add(password)
    for value in list(found):
        found.add(base64.b64encode(value.encode()).decode())
        found.add(base64.b64encode(f"condividi:{value}".encode()).decode())
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every secret replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


class HttpClient:
    """Sends :class:`ApiRequest` objects to one provider and maps failures to our errors.

    Takes the provider name, its base URL, the headers that authenticate every call, the
    configuration (time-out, retries, backoff, Retry-After cap), an optional provider-specific
    error mapper and extra rate-limit header names.
    """

    def __init__(
        self,
        provider: str,
        base_url: str,
        auth_headers: Mapping[str, str],
        config: NewsletterConfig,
        error_mapper: ErrorMapper | None = None,
        retry_after_headers: tuple[str, ...] = (),
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._auth_headers = dict(auth_headers)
        self._secrets = secrets_of(config.api_key)
        self.config = config
        self.error_mapper = error_mapper
        self.retry_after_headers = retry_after_headers
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=config.timeout, read=config.timeout),
            retries=False,
        )

    def __repr__(self) -> str:
        return f"<HttpClient {self.provider} {self.base_url}>"

    def send(self, request: ApiRequest) -> ApiResponse:
        """Send ``request`` with retries; return the 2xx answer or raise a ProviderError."""
        url = self.base_url + request.target()
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **self._auth_headers,
            **request.headers,
        }
        body = None
        if request.json is not None:
            body = json.dumps(request.json).encode()
            headers["Content-Type"] = "application/json"
        where = f"{request.method} {request.path}"
        try:
            response = self._pool.request(
                request.method,
                url,
                body=body,
                headers=headers,
                retries=make_retry(self.config, request.repeat, self.retry_after_headers),
            )
        except HTTPError as error:  # MaxRetryError included
            raise self._transport_error(error, request, where) from None
        text = response.data.decode("utf-8", "replace")
        payload = _parse_json(text)
        log.debug("%s %s -> %s", self.provider, where, response.status)
        if 200 <= response.status < 300:
            return ApiResponse(response.status, payload, _lower(response.headers))
        raise self._status_error(response.status, payload, text, _lower(response.headers), where)

    def _status_error(
        self, status: int, payload: Any, text: str, headers: Mapping[str, str], where: str
    ) -> ProviderError:
        message = redact(provider_message(payload, text), self._secrets)
        if 300 <= status < 400:
            location = redact(headers.get("location", "?"), self._secrets)
            return RejectedRequest(
                self.provider,
                f"{where} was redirected to {location}: set NEWSLETTER_API_URL to the final URL",
                status,
            )
        cls = self.error_mapper(status, payload, message) if self.error_mapper else None
        if cls is None:
            cls = error_class(status)
        if cls is RateLimited:
            after = retry_after_seconds(headers, self.retry_after_headers)
            return RateLimited(self.provider, message, status, retry_after=after)
        if cls in (InvalidAddress, AlreadySubscribed, BadCredentials, ProviderDown):
            return cls(self.provider, message, status)
        return cls(self.provider, f"{where}: {message}", status)

    def _transport_error(self, error: Exception, request: ApiRequest, where: str) -> ProviderError:
        reason = getattr(error, "reason", None) or error
        # NewConnectionError is a ConnectTimeoutError subclass: test it first.
        if isinstance(reason, NewConnectionError):
            what = "connection failed"
        elif isinstance(reason, (ReadTimeoutError, ConnectTimeoutError)) or "timed out" in str(
            reason
        ):
            what = f"no answer within {self.config.timeout:g} s"
        elif isinstance(reason, ProtocolError):
            what = "connection broken"
        else:
            what = type(reason).__name__
        maybe = (
            "; the provider may have accepted it, so it was not repeated"
            if request.repeat is not Repeat.SAFE and not isinstance(reason, NewConnectionError)
            else ""
        )
        text = redact(f"{where} to {self.base_url}: {what}{maybe} ({reason})", self._secrets)
        return ProviderDown(self.provider, text)


def _parse_json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def require(payload: Any, provider: str, *path: str) -> Any:
    """Return ``payload[path[0]][path[1]]...`` or raise ProviderDown naming what was missing.

    A 2xx answer without the id we need means the provider (or something in between) answered
    wrongly; the call's effect is unknown, which the ledger treats like an outage.
    """
    value = payload
    for key in path:
        if not isinstance(value, Mapping) or value.get(key) in (None, ""):
            shown = ".".join(path)
            raise ProviderDown(provider, f"unexpected answer: no {shown!r} in the response")
        value = value[key]
    return value
