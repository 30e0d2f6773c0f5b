"""The signup endpoint: every route and rule, through Flask's test client and the local provider."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from condividi.config import ConfigError
from condividi.newsletter.commands import listen_address, signup_service
from condividi.newsletter.config import NewsletterConfig, endpoint_base_url, newsletter_config
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    BadCredentials,
    InvalidAddress,
    ProviderDown,
    ProviderError,
    RateLimited,
    RejectedRequest,
    SubscribeResult,
    Subscription,
)
from condividi.newsletter.providers.local import LocalProvider
from condividi.newsletter.signup import (
    RateLimiter,
    app_from_settings,
    create_app,
    origin_of,
    request_origin,
)
from tests.conftest import copy_project, free_port
from tests.newsletter_support import (
    Clock,
    SmtpSink,
    links,
    make_config,
    outbox_messages,
    token_of,
)

SITE = "https://blog.example.org"
FROM_SITE = {"Origin": SITE}
JSON = {**FROM_SITE, "Accept": "application/json"}
GOOD = {"email": "lettrice@example.org", "consent": "yes", "lang": "it", "website": ""}
LONG = "a" * 288 + "@example.org"


class FakeClock:
    """Seconds for the rate limiter, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Endpoint:
    """The app, its local provider and the clocks, for one test."""

    def __init__(self, tmp_path: Path, **changes: Any) -> None:
        self.config = make_config(tmp_path, **changes)
        self.clock = FakeClock()
        self.provider_clock = Clock()
        self.provider = LocalProvider(self.config, now=self.provider_clock)
        self.app = create_app(self.config, SITE, provider=self.provider, clock=self.clock)
        self.client: FlaskClient = self.app.test_client()

    def post(
        self,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        return self.client.post(
            "/subscribe",
            data=GOOD if data is None else data,
            headers=JSON if headers is None else headers,
            **kwargs,
        )

    def subscribers(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.config.local_db) as db:
            return db.execute("SELECT email, status FROM subscribers").fetchall()

    def mails(self) -> list[Any]:
        return outbox_messages(self.config)


@pytest.fixture
def endpoint(tmp_path: Path) -> Endpoint:
    return Endpoint(tmp_path)


# -- pure parts ----------------------------------------------------------------------------


def test_rate_limiter_slides() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=3, window=60, clock=clock)
    for _ in range(3):  # hits at 1000, 1010, 1020
        assert limiter.hit("a") is None
        clock.now += 10
    assert limiter.hit("a") == pytest.approx(30)  # at 1030: wait until 1060
    assert limiter.hit("b") is None  # another client is counted apart
    clock.now = 1060  # the first hit leaves the window, the others stay
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(10)  # the hit at 1010 leaves at 1070


def test_rate_limiter_forgets_idle_clients() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=1, window=60, clock=clock, max_keys=2)
    limiter.hit("a")
    limiter.hit("b")
    clock.now += 61
    limiter.hit("c")  # over max_keys: a and b are idle and forgotten
    assert set(limiter._hits) == {"c"}


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Blog.Example.org/", "https://blog.example.org"),
        ("https://blog.example.org:443/x", "https://blog.example.org"),
        ("http://127.0.0.1:8000/newsletter/", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_request_origin_prefers_origin_then_referer() -> None:
    assert request_origin({"Origin": SITE, "Referer": "https://x.org/"}) == SITE
    assert request_origin({"Referer": f"{SITE}/post/"}) == SITE
    assert request_origin({"Origin": "null"}) is None
    assert request_origin({}) is None


# -- subscribing ---------------------------------------------------------------------------


def test_json_success(endpoint: Endpoint) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    response = endpoint.post()
    assert response.status_code == 200
    assert response.get_json() == {
        "ok": True,
        "reason": "check-inbox",
        "message": "Almost done: check your inbox to confirm.",
    }
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    record = endpoint.provider.subscriber("lettrice@example.org")
    assert record is not None and record.status == "pending"
    assert record.privacy_policy_version == "2026-11-01"
    assert record.consent_at is not None and record.consent_at >= before
    assert len(endpoint.mails()) == 1


def test_plain_post_redirects_to_check_your_inbox(endpoint: Endpoint) -> None:
    response = endpoint.post(headers={**FROM_SITE, "Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{SITE}/newsletter/controlla/"


def test_already_subscribed_answers_exactly_like_a_new_address(tmp_path: Path) -> None:
    endpoint = Endpoint(tmp_path, address_rate_limit=10)  # the provider sees every post
    endpoint.post()
    endpoint.provider.confirm(token_of(links(endpoint.mails()[0])["confirm"]))
    again = endpoint.post()
    fresh = endpoint.post({**GOOD, "email": "nuovo@example.org"})
    assert (again.status_code, again.get_json()) == (fresh.status_code, fresh.get_json())
    plain = {**FROM_SITE, "Accept": "text/html"}
    assert endpoint.post(headers=plain).headers["Location"] == f"{SITE}/newsletter/controlla/"
    assert [m["To"] for m in endpoint.mails()] == ["lettrice@example.org", "nuovo@example.org"]


@pytest.mark.parametrize(
    ("email", "reason", "words"),
    [
        ("", "missing-email", "Enter an email address"),
        ("a@", "invalid-email", "something after the @-sign"),
        ("a@b", "invalid-email", "should have a period"),
        (LONG, "invalid-email", "300 characters long"),
        ("a@b.it\r\nBcc: x@y.z", "invalid-email", "on one line"),
    ],
)
def test_bad_addresses_never_reach_the_provider(
    endpoint: Endpoint, email: str, reason: str, words: str
) -> None:
    response = endpoint.post({**GOOD, "email": email})
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["ok"] is False and answer["reason"] == reason
    assert words in answer["message"]
    plain = endpoint.post({**GOOD, "email": email}, headers={**FROM_SITE, "Accept": "text/html"})
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"{SITE}/newsletter/errore/?reason={reason}"
    assert endpoint.subscribers() == []
    assert endpoint.mails() == []


def test_missing_form_field_is_a_missing_address(endpoint: Endpoint) -> None:
    response = endpoint.post({"consent": "yes"})
    assert response.get_json()["reason"] == "missing-email"


@pytest.mark.parametrize("consent", [None, ""])
def test_consent_is_required(endpoint: Endpoint, consent: str | None) -> None:
    data = {k: v for k, v in GOOD.items() if k != "consent"}
    if consent is not None:
        data["consent"] = consent
    response = endpoint.post(data)
    assert response.status_code == 400
    assert response.get_json()["reason"] == "consent"
    assert endpoint.subscribers() == []


def test_honeypot_is_dropped_silently(endpoint: Endpoint) -> None:
    bot = endpoint.post({**GOOD, "website": "https://spam.example"})
    person = endpoint.post({**GOOD, "email": "persona@example.org"})
    assert (bot.status_code, bot.get_json()) == (person.status_code, person.get_json())
    assert endpoint.subscribers() == [("persona@example.org", "pending")]
    plain = endpoint.post(
        {**GOOD, "website": "x", "email": "not an address"}, headers={**FROM_SITE}
    )
    assert plain.headers["Location"] == f"{SITE}/newsletter/controlla/"
    assert len(endpoint.mails()) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://blog.example.org"},  # same host, other scheme
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {},
    ],
)
def test_other_origins_are_refused(endpoint: Endpoint, headers: dict[str, str]) -> None:
    response = endpoint.post(headers={**headers, "Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["reason"] == "origin"
    assert "Access-Control-Allow-Origin" not in response.headers
    plain = endpoint.post(headers=headers)
    assert plain.status_code == 403 and b"only accepts posts from" in plain.data
    assert endpoint.subscribers() == []


def test_referer_of_the_site_is_enough(endpoint: Endpoint) -> None:
    response = endpoint.post(headers={"Referer": f"{SITE}/newsletter/", "Accept": "text/html"})
    assert response.status_code == 303


def test_extra_allowed_origins(tmp_path: Path) -> None:
    endpoint = Endpoint(tmp_path, allowed_origins=("http://blog.example.org",))
    response = endpoint.post(
        headers={"Origin": "http://blog.example.org", "Accept": "application/json"}
    )
    assert response.status_code == 200


def test_rate_limit_per_client(tmp_path: Path) -> None:
    endpoint = Endpoint(tmp_path, rate_limit=3, rate_window=600.0)
    for n in range(3):
        assert endpoint.post({**GOOD, "email": f"n{n}@example.org"}).status_code == 200
    endpoint.clock.now += 100
    limited = endpoint.post({**GOOD, "email": "n3@example.org"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "500"
    assert limited.get_json()["reason"] == "rate-limited"
    plain = endpoint.post(headers={**FROM_SITE, "Accept": "text/html"})
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"{SITE}/newsletter/errore/?reason=rate-limited"
    assert plain.headers["Retry-After"] == "500"
    other_client = endpoint.post(environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_client.status_code == 200
    endpoint.clock.now += 500
    assert endpoint.post({**GOOD, "email": "n4@example.org"}).status_code == 200
    assert len(endpoint.subscribers()) == 5


def test_behind_a_proxy_each_forwarded_client_counts_apart(tmp_path: Path) -> None:
    endpoint = Endpoint(tmp_path, rate_limit=1, proxy_count=1)

    def post_from(client: str, email: str) -> int:
        return endpoint.post(
            {**GOOD, "email": email}, headers={**JSON, "X-Forwarded-For": client}
        ).status_code

    assert post_from("198.51.100.1", "a@example.org") == 200
    assert post_from("198.51.100.2", "b@example.org") == 200
    assert post_from("198.51.100.1", "c@example.org") == 429


def test_language_is_stored_and_checked(endpoint: Endpoint) -> None:
    endpoint.post({**GOOD, "lang": "en"})
    endpoint.post({**GOOD, "email": "altra@example.org", "lang": '"><script>'})
    assert endpoint.provider.subscriber("lettrice@example.org").lang == "en"  # type: ignore[union-attr]
    assert endpoint.provider.subscriber("altra@example.org").lang == "it"  # type: ignore[union-attr]
    assert endpoint.mails()[0]["Subject"] == "Confirm your subscription to Condividi"


def test_oversized_body_is_refused(endpoint: Endpoint) -> None:
    response = endpoint.post({**GOOD, "filler": "x" * 20_000})
    assert response.status_code == 413
    assert endpoint.subscribers() == []


def test_get_subscribe_is_not_allowed(endpoint: Endpoint) -> None:
    assert endpoint.client.get("/subscribe").status_code == 405


# -- provider errors -----------------------------------------------------------------------


class ScriptedProvider:
    """A provider that answers every subscribe with one outcome (hosted adapters are tested
    against their contracts elsewhere; this checks how the endpoint words their errors)."""

    name = "scripted"

    def __init__(self, outcome: ProviderError | None) -> None:
        self.outcome = outcome
        self.seen: list[Subscription] = []

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        self.seen.append(subscription)
        if self.outcome is not None:
            raise self.outcome
        return SubscribeResult("pending")


@pytest.mark.parametrize(
    ("error", "status", "reason", "retry_after"),
    [
        (None, 200, "check-inbox", None),
        (AlreadySubscribed("x", "Member Exists", 400), 200, "check-inbox", None),
        (InvalidAddress("x", "looks fake or invalid", 400), 400, "invalid-email", None),
        (RateLimited("x", "slow down", 429, retry_after=30), 503, "unavailable", "30"),
        (BadCredentials("x", "API key invalid", 401), 503, "unavailable", None),
        (ProviderDown("x", "HTTP 502", 502), 503, "unavailable", None),
        (RejectedRequest("x", "subscriber_suppressed", 400), 400, "rejected", None),
    ],
)
def test_provider_errors_map_to_our_answers(
    tmp_path: Path, error: ProviderError | None, status: int, reason: str, retry_after: str | None
) -> None:
    provider = ScriptedProvider(error)
    app = create_app(make_config(tmp_path), SITE, provider=provider)  # type: ignore[arg-type]
    response = app.test_client().post("/subscribe", data=GOOD, headers=JSON)
    assert response.status_code == status
    assert response.get_json()["reason"] == reason
    assert response.headers.get("Retry-After") == retry_after
    assert "API key" not in response.get_json()["message"]  # the provider's words stay in logs
    [seen] = provider.seen
    assert seen.email == "lettrice@example.org"
    assert seen.privacy_policy_version == "2026-11-01"


def test_hosted_providers_have_no_confirm_routes(tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path), SITE, provider=ScriptedProvider(None))  # type: ignore[arg-type]
    assert app.test_client().get("/confirm/" + "a" * 43).status_code == 404


# -- confirm and unsubscribe ---------------------------------------------------------------


def test_confirm_link_confirms_and_lands_on_the_confirmed_page(endpoint: Endpoint) -> None:
    endpoint.post()
    url = links(endpoint.mails()[0])["confirm"]
    response = endpoint.client.get(urllib.parse.urlsplit(url).path)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{SITE}/newsletter/confermata/"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert endpoint.subscribers() == [("lettrice@example.org", "confirmed")]


def test_expired_confirm_link(endpoint: Endpoint) -> None:
    endpoint.post()
    path = urllib.parse.urlsplit(links(endpoint.mails()[0])["confirm"]).path
    endpoint.provider_clock.now += timedelta(hours=49)
    response = endpoint.client.get(path)
    assert response.headers["Location"] == f"{SITE}/newsletter/errore/?reason=expired"
    json_answer = endpoint.client.get(path, headers={"Accept": "application/json"})
    assert json_answer.status_code == 410
    assert endpoint.subscribers() == [("lettrice@example.org", "pending")]


@pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 200, "%0d%0aBcc:x"])
def test_unknown_links(endpoint: Endpoint, token: str) -> None:
    for path in (f"/confirm/{token}", f"/unsubscribe/{token}"):
        response = endpoint.client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == f"{SITE}/newsletter/errore/?reason=invalid-link"


def test_unsubscribe_by_link_and_by_one_click_post(endpoint: Endpoint) -> None:
    endpoint.post()
    endpoint.post({**GOOD, "email": "altra@example.org"})
    first, second = endpoint.mails()
    path = urllib.parse.urlsplit(links(first)["unsubscribe"]).path
    response = endpoint.client.get(path)
    assert response.headers["Location"] == f"{SITE}/newsletter/disiscritto/"
    # RFC 8058: the mail client posts this body, with no Origin and no cookies.
    one_click = endpoint.client.post(
        urllib.parse.urlsplit(links(second)["unsubscribe"]).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 303
    assert one_click.headers["Location"] == f"{SITE}/newsletter/disiscritto/"
    assert sorted(endpoint.subscribers()) == [
        ("altra@example.org", "unsubscribed"),
        ("lettrice@example.org", "unsubscribed"),
    ]


# -- configuration, WSGI entry point, command line -----------------------------------------


@pytest.mark.parametrize(
    ("changes", "site", "words"),
    [
        ({"rate_limit": 0}, SITE, "NEWSLETTER_RATE_LIMIT = 0"),
        ({"rate_window": -1.0}, SITE, "NEWSLETTER_RATE_WINDOW"),
        ({"confirm_hours": 0}, SITE, "NEWSLETTER_CONFIRM_HOURS"),
        ({"proxy_count": -1}, SITE, "NEWSLETTER_PROXY_COUNT"),
        ({"allowed_origins": ("blog.example.org",)}, SITE, "NEWSLETTER_ALLOWED_ORIGINS"),
        ({}, "", "SITEURL = ''"),
        ({}, "/blog", "SITEURL = '/blog'"),
    ],
)
def test_bad_settings_are_named(
    tmp_path: Path, changes: dict[str, Any], site: str, words: str
) -> None:
    config = dataclasses.replace(make_config(tmp_path), **changes)
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        create_app(config, site, provider=ScriptedProvider(None))  # type: ignore[arg-type]


def test_app_from_settings_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    env = {"NEWSLETTER_PROVIDER": "local"}
    app = app_from_settings(project / "publishconf.py", env)
    response = app.test_client().post(
        "/subscribe",
        data=GOOD,
        headers={"Origin": "https://www.example.org", "Accept": "text/html"},
    )
    assert response.headers["Location"] == "https://www.example.org/newsletter/controlla/"
    assert (project / "var" / "newsletter" / "subscribers.sqlite3").is_file()
    [mail] = (project / "var" / "newsletter" / "outbox").glob("*.eml")
    assert "http://127.0.0.1:8090/confirm/" in mail.read_text()


def test_listen_address() -> None:
    assert listen_address("http://127.0.0.1:8090/subscribe") == ("127.0.0.1", 8090)
    assert listen_address("http://localhost:9000/api/subscribe") == ("localhost", 9000)
    assert listen_address("https://news.example.org/subscribe") == ("127.0.0.1", 8090)


def test_make_serve_runs_the_endpoint() -> None:
    from condividi import devserver

    assert signup_service in devserver.SERVICE_FACTORIES
    service = signup_service(Path("/srv/blog"))
    assert service.command[1:] == [
        "-m",
        "condividi",
        "newsletter",
        "signup-server",
        "--settings",
        "/srv/blog/pelicanconf.py",
    ]


def _post(url: str, origin: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(GOOD).encode(),
        headers={"Origin": origin, "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_signup_server_command(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    port, site_port = free_port(), free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "condividi", "newsletter", "signup-server", "--port", str(port)],
        cwd=project,
        env={**os.environ, "PORT": str(site_port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/subscribe"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, answer = _post(url, f"http://127.0.0.1:{site_port}")
                break
            except (ConnectionError, urllib.error.URLError):
                assert process.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the signup server did not start"
                time.sleep(0.2)
        assert (status, answer["reason"]) == (200, "check-inbox")
        assert _post(url, "https://evil.example")[0] == 403
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    assert list((project / "var" / "newsletter" / "outbox").glob("*.eml"))


def test_endpoint_base_url_and_smtp_password_from_the_environment() -> None:
    assert endpoint_base_url(NewsletterConfig()) == "http://127.0.0.1:8090"
    proxied = NewsletterConfig(signup_url="https://blog.example.org/newsletter-api/subscribe")
    assert endpoint_base_url(proxied) == "https://blog.example.org/newsletter-api"
    explicit = NewsletterConfig(endpoint_url="https://news.example.org/")
    assert endpoint_base_url(explicit) == "https://news.example.org"
    config = newsletter_config({}, {"NEWSLETTER_SMTP_PASSWORD": "pw"})
    assert config.smtp_password == "pw"


def test_single_opt_in_lands_on_the_confirmed_page_new_or_not(tmp_path: Path) -> None:
    endpoint = Endpoint(tmp_path, double_opt_in=False, address_rate_limit=10)
    first = endpoint.post()
    again = endpoint.post()  # already on the list: the same answer
    assert first.get_json() == again.get_json()
    assert first.get_json()["reason"] == "subscribed"
    plain = endpoint.post(headers={**FROM_SITE, "Accept": "text/html"})
    assert plain.headers["Location"] == f"{SITE}/newsletter/confermata/"
    assert endpoint.subscribers() == [("lettrice@example.org", "confirmed")]
    assert endpoint.mails() == []


# -- hardening (issue 25) ------------------------------------------------------------------


def test_confirmation_mails_are_limited_per_address(tmp_path: Path) -> None:
    endpoint = Endpoint(tmp_path)  # one confirmation per address per hour by default
    victim = {**GOOD, "email": "victim@example.org"}
    first = endpoint.post(victim, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    answers = [
        endpoint.post(
            {**victim, "email": spelling}, environ_base={"REMOTE_ADDR": f"192.0.2.{n + 2}"}
        )
        for n, spelling in enumerate(["victim@example.org", "Victim@Example.ORG"] * 2)
    ]
    assert all(
        (a.status_code, a.get_json(), a.headers.get("Retry-After"))
        == (first.status_code, first.get_json(), None)
        for a in answers
    ), "the same answer: nothing tells the address was limited"
    assert first.get_json()["reason"] == "check-inbox"
    plain = endpoint.post(victim, headers={**FROM_SITE, "Accept": "text/html"})
    assert plain.headers["Location"] == f"{SITE}/newsletter/controlla/"
    assert [m["To"] for m in endpoint.mails()] == ["victim@example.org"]
    other = endpoint.post({**GOOD, "email": "altra@example.org"})
    assert other.get_json()["reason"] == "check-inbox"
    assert len(endpoint.mails()) == 2, "other addresses are not held back"
    endpoint.clock.now += 3600
    endpoint.post(victim)
    assert [m["To"] for m in endpoint.mails()].count("victim@example.org") == 2


def test_a_failed_provider_call_does_not_use_up_the_address_limit(tmp_path: Path) -> None:
    provider = ScriptedProvider(ProviderDown("x", "HTTP 502", 502))
    app = create_app(make_config(tmp_path), SITE, provider=provider)  # type: ignore[arg-type]
    client = app.test_client()
    assert client.post("/subscribe", data=GOOD, headers=JSON).status_code == 503
    provider.outcome = None
    assert client.post("/subscribe", data=GOOD, headers=JSON).status_code == 200
    assert client.post("/subscribe", data=GOOD, headers=JSON).status_code == 200
    assert len(provider.seen) == 2, "the retry reached the provider, the third post did not"


@pytest.mark.parametrize(
    ("typed", "ascii_form"),
    [
        ("user@esempìo.it", "user@xn--esempo-0va.it"),
        ("user@ESEMPÌO.it", "user@xn--esempo-0va.it"),
        ("user@xn--esempo-0va.it", "user@xn--esempo-0va.it"),
        ("user@xn--esempo-vya.it", "user@xn--esempo-vya.it"),  # the issue's: already ASCII
    ],
)
def test_an_international_domain_is_mailed_as_punycode(
    tmp_path: Path, typed: str, ascii_form: str
) -> None:
    with SmtpSink() as sink:
        config = make_config(tmp_path, smtp_host=sink.host, smtp_port=sink.port)
        app = create_app(config, SITE, provider=LocalProvider(config))
        response = app.test_client().post("/subscribe", data={**GOOD, "email": typed}, headers=JSON)
        assert response.status_code == 200, response.get_json()
        [message] = sink.wait_for(1)
    assert message["To"] == ascii_form
    raw_to = [line for line in message.as_string().splitlines() if line.startswith("To:")]
    assert raw_to == [f"To: {ascii_form}"], "the header as sent: no encoded-word"
    assert sink.recipients == [[ascii_form]]
    with sqlite3.connect(config.local_db) as db:
        assert db.execute("SELECT email FROM subscribers").fetchall() == [(ascii_form,)]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:8000.evil.example"},
        {"Origin": "https://blog.example.org:99999"},
        {"Origin": "http://[::1"},
        {"Referer": "http://127.0.0.1:8000.evil.example/newsletter/"},
        {"Referer": "https://[blog.example.org/"},
    ],
)
def test_an_unparsable_origin_is_refused_before_the_rate_limit(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    endpoint = Endpoint(tmp_path, rate_limit=1)
    for _ in range(3):
        response = endpoint.post(headers={**headers, "Accept": "application/json"})
        assert response.status_code == 403, response.data[:300]
        assert response.get_json()["reason"] == "origin"
        assert "Access-Control-Allow-Origin" not in response.headers
    plain = endpoint.post(headers=headers)
    assert plain.status_code == 403 and b"only accepts posts from" in plain.data
    assert endpoint.post().status_code == 200, "the refused posts did not count"
    assert endpoint.subscribers() == [("lettrice@example.org", "pending")]
