"""The shared HTTP layer: retry policies, Retry-After, error messages and mapping, secrets."""

from __future__ import annotations

import pytest
from urllib3.exceptions import ConnectTimeoutError

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers import create_provider
from condividi.newsletter.providers.base import (
    BadCredentials,
    ProviderDown,
    RateLimited,
    RejectedRequest,
    Subscription,
)
from condividi.newsletter.providers.http import (
    ApiRequest,
    HttpClient,
    Repeat,
    error_class,
    make_retry,
    provider_message,
    redact,
    retry_after_seconds,
    secrets_of,
)
from tests.conftest import free_port

CONFIG = NewsletterConfig(max_retries=3, backoff=0.5, max_retry_after=20.0)


def test_safe_requests_are_retried_after_anything_transient():
    retry = make_retry(CONFIG, Repeat.SAFE)
    assert (retry.total, retry.connect, retry.read, retry.status) == (3, 3, 3, 3)
    assert {429, 500, 502, 503, 504} <= set(retry.status_forcelist)
    assert retry.allowed_methods is None  # POST too: the policy decides, not the verb
    assert retry.retry_after_max == 20.0
    assert retry.raise_on_status is False


def test_creating_is_not_repeated_after_a_time_out():
    retry = make_retry(CONFIG, Repeat.CREATE)
    assert retry.read == 0
    assert retry.connect == 3
    assert {429, 500, 503} <= set(retry.status_forcelist)


def test_sending_is_repeated_only_when_surely_not_done():
    retry = make_retry(CONFIG, Repeat.SEND)
    assert retry.read == 0
    assert retry.connect == 3
    assert set(retry.status_forcelist) == {429}


def test_backoff_is_exponential_and_bounded():
    retry = make_retry(CONFIG, Repeat.SAFE)
    waits = []
    for _ in range(3):
        retry = retry.increment(method="GET", url="/x", error=ConnectTimeoutError())
        waits.append(retry.get_backoff_time())
    assert waits == [0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("headers", "extra", "expected"),
    [
        ({"Retry-After": "3"}, (), 3.0),
        ({"retry-after": " 7 "}, (), 7.0),
        ({"x-sib-ratelimit-reset": "42"}, ("x-sib-ratelimit-reset",), 42.0),
        ({"x-sib-ratelimit-reset": "42"}, (), None),
        ({"Retry-After": "soon"}, (), None),
        ({}, (), None),
    ],
)
def test_retry_after_seconds(headers, extra, expected):
    assert retry_after_seconds(headers, extra) == expected


def test_retry_after_as_a_date_is_understood():
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0


@pytest.mark.parametrize(
    ("payload", "text", "expected"),
    [
        (
            {"code": "email_invalid", "detail": "The email address provided is not valid."},
            "",
            "email_invalid: The email address provided is not valid.",
        ),
        (
            {"title": "Member Exists", "status": 400, "detail": "a@b.it is already a list member."},
            "",
            "Member Exists: a@b.it is already a list member.",
        ),
        (
            {
                "message": "The email must be valid.",
                "errors": {"email": ["The email must be valid."]},
            },
            "",
            "The email must be valid.",
        ),
        ({"errors": ["Email address is invalid"]}, "", "Email address is invalid"),
        (
            {"detail": [{"type": "missing", "loc": ["body", "subject"], "msg": "Field required"}]},
            "",
            "body.subject: Field required",
        ),
        ({"title": "409 Conflict", "description": "Member already subscribed"}, "", None),
        (None, "Retry later", "Retry later"),
        (None, "", "no message"),
    ],
)
def test_provider_message_keeps_the_providers_words(payload, text, expected):
    message = provider_message(payload, text)
    if expected is None:
        assert message == "409 Conflict: Member already subscribed"
    else:
        assert message == expected


def test_long_messages_are_cut():
    assert len(provider_message(None, "x" * 5000)) == 500


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, BadCredentials),
        (403, BadCredentials),
        (429, RateLimited),
        (500, ProviderDown),
        (503, ProviderDown),
        (400, RejectedRequest),
        (404, RejectedRequest),
        (422, RejectedRequest),
    ],
)
def test_error_class(status, cls):
    assert error_class(status) is cls


def test_secrets_cover_the_password_and_basic_auth():
    secrets = secrets_of("api_user:s3cret-token")
    text = "Basic YXBpX3VzZXI6czNjcmV0LXRva2Vu and s3cret-token and api_user:s3cret-token"
    shown = redact(text, secrets)
    assert "s3cret" not in shown
    assert "YXBpX3VzZXI6czNjcmV0LXRva2Vu" not in shown
    assert secrets_of(None) == ()


def test_retry_after_beyond_the_cap_waits_only_the_cap(contract_server):
    server = contract_server("mailerlite")
    server.fail_next(429, retry_after=3600)
    client = server.config(max_retry_after=1.0)
    create_provider(client).subscribe(Subscription("a@example.org"))
    first, second = server.requests
    # It waited (at least the cap), and not the hour the server asked for.
    assert 0.9 <= second.at - first.at < 600


def test_a_redirect_is_refused_with_a_hint(contract_server):
    server = contract_server("mailerlite")
    server.fail_next(301, body={"message": "Moved Permanently"})
    client = HttpClient("mailerlite", server.url, {}, server.config())
    with pytest.raises(RejectedRequest, match="NEWSLETTER_API_URL"):
        client.send(ApiRequest("GET", "/campaigns"))


def test_nothing_listening_is_provider_down():
    config = NewsletterConfig(max_retries=1, backoff=0.01, timeout=2.0)
    client = HttpClient("listmonk", f"http://127.0.0.1:{free_port()}", {}, config)
    with pytest.raises(ProviderDown, match="connection failed"):
        client.send(ApiRequest("POST", "/api/campaigns", json={}, repeat=Repeat.SEND))
