"""The signup endpoint: a small Flask app between the site's form and the email-list provider.

``POST /subscribe`` checks, in this order: the request comes from the site's origin (else 403,
an Origin or Referer that cannot be parsed included), the client is under its rate limit (else
429 with ``Retry-After``), the honeypot is empty (else a silent success), the address is valid,
the consent box is ticked, the address is under its own limit (one confirmation mail per hour
by default; past it the usual success answer, and no mail); only then does it call the
configured provider. ``GET /confirm/<token>`` and ``GET|POST /unsubscribe/<token>``
(RFC 8058 one-click) serve the local provider's links.

The enhanced form (``Accept: application/json``) gets JSON ``{"ok", "reason", "message"}``;
a plain form post gets a 303 redirect to a page of the site: ``/newsletter/controlla/`` on
success (``/newsletter/confermata/`` when double opt-in is off) and
``/newsletter/errore/?reason=<reason>`` on error. "Already subscribed" answers exactly like a
new subscription, so the reply never tells whether an address was on the list.

Build the app with :func:`create_app`; :mod:`condividi.newsletter.wsgi` builds one from a
settings file for any WSGI server.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

from condividi.config import ConfigError
from condividi.newsletter.addresses import MissingAddress, validate_address
from condividi.newsletter.config import NewsletterConfig, newsletter_config, resolve_paths
from condividi.newsletter.form import HONEYPOT_FIELD
from condividi.newsletter.providers import create_provider
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    BadCredentials,
    InvalidAddress,
    Provider,
    ProviderDown,
    ProviderError,
    RateLimited,
    Subscription,
)
from condividi.newsletter.providers.local import TokenExpired, TokenUnknown

log = logging.getLogger(__name__)

# Pages of the site the plain (JavaScript-free) form lands on.
PAGES = {
    "check": "newsletter/controlla/",
    "error": "newsletter/errore/",
    "confirmed": "newsletter/confermata/",
    "unsubscribed": "newsletter/disiscritto/",
}
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class RateLimiter:
    """A sliding-window limit of ``limit`` hits per ``window`` seconds for each key.

    Thread-safe and in memory (one per process). ``clock`` returns seconds (monotonic).
    Forgets clients whose hits have all left the window once it tracks ``max_keys`` of them.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one hit for ``key``; return None if allowed, else seconds until the next one."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.0)
            hits.append(now)
            if len(self._hits) > self.max_keys:
                self._forget_idle(now)
            return None

    def give_back(self, key: str) -> None:
        """Take back ``key``'s latest hit: what it allowed did not happen (the provider failed)."""
        with self._lock:
            hits = self._hits.get(key)
            if hits:
                hits.pop()

    def _forget_idle(self, now: float) -> None:
        cutoff = now - self.window
        idle = [key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff]
        for key in idle:
            del self._hits[key]


def origin_of(url: str) -> str:
    """Return the origin of ``url``: ``scheme://host[:port]``, lower case, no default port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def request_origin(headers: Mapping[str, str]) -> str | None:
    """Return the origin a request says it comes from: its ``Origin``, else its ``Referer``'s.

    Takes the request's headers; returns None when neither says, or when the one given cannot
    be parsed (``http://127.0.0.1:8000.evil.example``: a port that is no number), which no
    allowed origin ever is.
    """
    origin = headers.get("Origin")
    try:
        if origin and origin != "null":
            return origin_of(origin)
        referer = headers.get("Referer")
        if referer and urlsplit(referer).hostname:
            return origin_of(referer)
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class Outcome:
    """The answer to one request: ``reason`` names it for the form's script and error page."""

    ok: bool
    reason: str
    status: int
    message: str
    retry_after: float | None = None


PENDING = Outcome(True, "check-inbox", 200, "Almost done: check your inbox to confirm.")
SUBSCRIBED = Outcome(True, "subscribed", 200, "You are subscribed.")


def _retry_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def check_endpoint_config(config: NewsletterConfig, site_url: str) -> None:
    """Raise :class:`ConfigError` naming the setting if the endpoint cannot run with it."""
    if urlsplit(site_url).scheme not in ("http", "https") or not urlsplit(site_url).hostname:
        raise ConfigError(f"setting SITEURL = {site_url!r} must be an absolute http(s) URL")
    positive = {
        "NEWSLETTER_RATE_LIMIT": config.rate_limit,
        "NEWSLETTER_RATE_WINDOW": config.rate_window,
        "NEWSLETTER_ADDRESS_RATE_LIMIT": config.address_rate_limit,
        "NEWSLETTER_ADDRESS_RATE_WINDOW": config.address_rate_window,
        "NEWSLETTER_CONFIRM_HOURS": config.confirm_hours,
    }
    for key, value in positive.items():
        if value <= 0:
            raise ConfigError(f"setting {key} = {value!r} must be greater than 0")
    if config.proxy_count < 0:
        raise ConfigError(f"setting NEWSLETTER_PROXY_COUNT = {config.proxy_count!r} is negative")
    for origin in config.allowed_origins:
        if urlsplit(origin).scheme not in ("http", "https") or not urlsplit(origin).hostname:
            raise ConfigError(
                f"setting NEWSLETTER_ALLOWED_ORIGINS has {origin!r}: "
                "write origins like https://blog.example.org"
            )


def create_app(
    config: NewsletterConfig,
    site_url: str,
    *,
    provider: Provider | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Flask:
    """Return the signup endpoint as a Flask (WSGI) app.

    Takes the newsletter configuration, the site's absolute URL (its origin is the one allowed
    to post; its pages are where plain form posts land), optionally a provider (default:
    ``create_provider(config)``) and the rate limiter's clock. Raises :class:`ConfigError` on
    a setting it cannot use.
    """
    check_endpoint_config(config, site_url)
    site = site_url.rstrip("/")
    allowed = {origin_of(site)} | {origin_of(o) for o in config.allowed_origins}
    the_provider = provider if provider is not None else create_provider(config)
    limiter = RateLimiter(config.rate_limit, config.rate_window, clock)
    # Per address, so that many clients cannot flood one inbox with confirmation mails.
    address_limiter = RateLimiter(config.address_rate_limit, config.address_rate_window, clock)

    app = Flask(__name__)
    # Nothing the form sends comes close; larger bodies are refused before parsing.
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    if config.proxy_count:
        n = config.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    def page(name: str, reason: str | None = None) -> str:
        query = f"?{urlencode({'reason': reason})}" if reason else ""
        return f"{site}/{PAGES[name]}{query}"

    def wants_json() -> bool:
        return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
            "application/json"
        )

    # With double opt-in off, an address already on the list gets the same answer as a new one.
    welcome = PENDING if config.double_opt_in else SUBSCRIBED

    def answer(outcome: Outcome, success_page: str | None = None) -> Response:
        if success_page is None:
            success_page = "confirmed" if outcome is SUBSCRIBED else "check"
        if wants_json():
            response = jsonify(ok=outcome.ok, reason=outcome.reason, message=outcome.message)
            response.status_code = outcome.status
        else:
            target = page(success_page) if outcome.ok else page("error", outcome.reason)
            response = redirect(target, code=303)
        if outcome.retry_after is not None:
            response.headers["Retry-After"] = _retry_header(outcome.retry_after)
        return response

    def subscribe_outcome() -> Outcome:
        retry_after = limiter.hit(request.remote_addr or "unknown")
        if retry_after is not None:
            return Outcome(
                False,
                "rate-limited",
                429,
                f"Too many attempts: try again in {_retry_header(retry_after)} seconds.",
                retry_after,
            )
        form = request.form
        if form.get(HONEYPOT_FIELD, ""):
            log.info("signup: honeypot filled; dropped")
            return welcome
        try:
            email = validate_address(form.get("email", ""))
        except MissingAddress as error:
            return Outcome(False, "missing-email", 400, error.message)
        except InvalidAddress as error:
            return Outcome(False, "invalid-email", 400, error.message)
        if not form.get("consent", "").strip():
            return Outcome(
                False, "consent", 400, "Tick the consent box to accept the privacy policy."
            )
        lang = form.get("lang", "")
        subscription = Subscription(
            email=email,
            consent_at=datetime.now(UTC),
            privacy_policy_version=config.privacy_policy_version,
            lang=lang if _LANG.match(lang) else "it",
        )
        address_key = email.lower()
        if address_limiter.hit(address_key) is not None:
            # The same answer as a new subscription: nothing tells whether the address is known.
            log.info("signup: an address past its limit; no mail sent")
            return welcome
        outcome = call_provider(subscription)
        if not outcome.ok:
            address_limiter.give_back(address_key)  # nothing was mailed: the reader may retry
        return outcome

    def call_provider(subscription: Subscription) -> Outcome:
        unavailable = "The newsletter service is not available right now: try again later."
        try:
            result = the_provider.subscribe(subscription)
        except AlreadySubscribed:
            return welcome
        except InvalidAddress as error:
            log.info("signup: %s refused the address: %s", error.provider, error.message)
            return Outcome(False, "invalid-email", 400, error.message)
        except RateLimited as error:
            log.warning("signup: %s", error)
            return Outcome(False, "unavailable", 503, unavailable, error.retry_after or 60)
        except BadCredentials as error:
            log.error("signup: the provider refused our credentials: %s", error)
            return Outcome(False, "unavailable", 503, unavailable)
        except ProviderDown as error:
            log.error("signup: %s", error)
            return Outcome(False, "unavailable", 503, unavailable)
        except ProviderError as error:
            log.error("signup: %s", error)
            return Outcome(
                False, "rejected", 400, "The newsletter could not accept this subscription."
            )
        return PENDING if result.status == "pending" else SUBSCRIBED

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        origin = request_origin(request.headers)
        if origin in allowed:
            # The enhanced form reads the JSON answer across origins (no cookies involved).
            response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
        return response

    @app.post("/subscribe")
    def subscribe() -> Response:
        origin = request_origin(request.headers)
        if origin not in allowed:
            log.warning("signup: refused a post from origin %r", origin)
            message = f"This form only accepts posts from {', '.join(sorted(allowed))}."
            return answer_forbidden(message)
        return answer(subscribe_outcome())

    def answer_forbidden(message: str) -> Response:
        if wants_json():
            response = jsonify(ok=False, reason="origin", message=message)
        else:
            response = Response(message + "\n", mimetype="text/plain")
        response.status_code = 403
        return response

    def token_route(token: str, operation_name: str, success_page: str) -> Response:
        # Only providers that send their own links (the local one) have these operations.
        operation = getattr(the_provider, operation_name, None)
        if operation is None:
            return Response("Not found\n", status=404, mimetype="text/plain")
        try:
            if not _TOKEN.match(token):
                raise TokenUnknown(the_provider.name, "malformed token")
            operation(token)
        except TokenExpired:
            return answer(Outcome(False, "expired", 410, "This link has expired."))
        except TokenUnknown:
            return answer(Outcome(False, "invalid-link", 404, "This link is not valid."))
        except ProviderError as error:
            log.error("signup: %s failed: %s", operation_name, error)
            return answer(Outcome(False, "unavailable", 503, "Try again later."))
        return answer(Outcome(True, success_page, 200, "Done."), success_page)

    @app.get("/confirm/<token>")
    def confirm(token: str) -> Response:
        return token_route(token, "confirm", "confirmed")

    @app.route("/unsubscribe/<token>", methods=["GET", "POST"])
    def unsubscribe(token: str) -> Response:
        return token_route(token, "unsubscribe", "unsubscribed")

    return app


def load_endpoint_settings(
    settings_file: Path, environ: Mapping[str, str] | None = None
) -> tuple[NewsletterConfig, str]:
    """Return ``(newsletter config, SITEURL)`` read from a Pelican settings file.

    Relative paths in the configuration are taken from the project folder
    (:func:`~condividi.newsletter.config.resolve_paths`).
    """
    from condividi.build import load_settings

    settings = load_settings(settings_file)
    config = newsletter_config(settings, environ)
    return resolve_paths(config, settings), str(settings["SITEURL"])


def app_from_settings(settings_file: Path, environ: Mapping[str, str] | None = None) -> Flask:
    """Return the endpoint app configured by a Pelican settings file (and the environment)."""
    config, site_url = load_endpoint_settings(settings_file, environ)
    return create_app(config, site_url)
