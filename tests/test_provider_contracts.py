"""Every hosted adapter over real HTTP against a server that follows its documented contract."""

from __future__ import annotations

import logging
import traceback

import pytest

from condividi.newsletter.providers import create_provider
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    BadCredentials,
    InvalidAddress,
    ProviderDown,
    RateLimited,
    Subscription,
)
from tests.providers_support import HOSTED, SUBSCRIBE, sample_edition

pytestmark = pytest.mark.parametrize("provider", HOSTED)

# Where each step of each provider goes, as "METHOD /path" patterns (SUBSCRIBE: the support).
CREATE = {
    "buttondown": r"^POST /emails$",
    "mailchimp": r"^POST /campaigns$",
    "brevo": r"^POST /emailCampaigns$",
    "mailerlite": r"^POST /campaigns$",
    "kit": r"^POST /broadcasts$",
    "listmonk": r"^POST /api/campaigns$",
}
SEND = {
    "buttondown": r"^PATCH /emails/",
    "mailchimp": r"/actions/send$",
    "brevo": r"/sendNow$",
    "mailerlite": r"/schedule$",
    "kit": r"^PUT /broadcasts/",
    "listmonk": r"^PUT /api/campaigns/\d+/status$",
}
INVALID_MESSAGE = {
    "buttondown": "The email address provided is not valid.",
    "mailchimp": "looks fake or invalid",
    "brevo": "Invalid email address",
    "mailerlite": "The email must be a valid email address.",
    "kit": "Email address is invalid",
    "listmonk": "Invalid email.",
}
# Providers whose 429 tells how long to wait (Kit's does not: providers.md §4e).
TELLS_RETRY_AFTER = {"buttondown", "mailchimp", "brevo", "mailerlite", "listmonk"}
# Buttondown's idempotency keys make every call safe to repeat.
IDEMPOTENT = {"buttondown"}
# Sending is a PUT/PATCH of a state there (Kit sets send_at): repeating it changes nothing.
REPEATABLE_SEND = IDEMPOTENT | {"kit"}
SLOW = 3.0  # seconds: past the 2 s client time-out of ContractServer.config()
READER = Subscription("lettrice@example.org", privacy_policy_version="2026-11-01")


def test_subscribe_with_double_opt_in_is_pending(provider, contract_server):
    server = contract_server(provider)
    result = create_provider(server.config()).subscribe(READER)
    assert result.status == "pending"
    assert list(server.state.subscribers) == [READER.email]
    assert server.state.confirmations == [READER.email]


def test_subscribe_without_double_opt_in_is_done(provider, contract_server):
    server = contract_server(provider, double_opt_in=False)
    result = create_provider(server.config(double_opt_in=False)).subscribe(READER)
    assert result.status == "subscribed"
    assert list(server.state.subscribers) == [READER.email]
    assert server.state.confirmations == []


def test_subscribing_a_confirmed_reader_again_is_already_subscribed(provider, contract_server):
    server = contract_server(provider)
    adapter = create_provider(server.config())
    adapter.subscribe(READER)
    server.confirm_all()
    if provider == "brevo":
        # Brevo's DOI endpoint answers 204 for a known contact: nothing to tell apart, and the
        # reader hears the same either way (providers.md §6b).
        assert adapter.subscribe(READER).status == "pending"
    else:
        with pytest.raises(AlreadySubscribed):
            adapter.subscribe(READER)
    assert len(server.state.subscribers) == 1
    assert server.state.confirmations == [READER.email]


def test_duplicate_without_double_opt_in_is_already_subscribed(provider, contract_server):
    server = contract_server(provider, double_opt_in=False)
    adapter = create_provider(server.config(double_opt_in=False))
    adapter.subscribe(READER)
    with pytest.raises(AlreadySubscribed):
        adapter.subscribe(READER)
    assert len(server.state.subscribers) == 1


def test_invalid_address_keeps_the_providers_message(provider, contract_server):
    server = contract_server(provider)
    with pytest.raises(InvalidAddress) as caught:
        create_provider(server.config()).subscribe(Subscription("non-un-indirizzo"))
    assert INVALID_MESSAGE[provider] in caught.value.message
    assert server.state.subscribers == {}
    assert server.hits(SUBSCRIBE[provider]) == 1


def test_wrong_key_is_bad_credentials(provider, contract_server):
    server = contract_server(provider)
    wrong = "nobody:wrong-key" if provider == "listmonk" else "wrong-key-us6"
    with pytest.raises(BadCredentials) as caught:
        create_provider(server.config(api_key=wrong)).subscribe(READER)
    assert caught.value.status in (401, 403)
    assert server.state.subscribers == {}
    assert server.hits(SUBSCRIBE[provider]) == 1  # not retried


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_not_retried(provider, status, contract_server):
    server = contract_server(provider)
    server.fail_next(status)
    with pytest.raises(BadCredentials):
        create_provider(server.config()).find_delivery(sample_edition())
    assert len(server.requests) == 1


def test_429_is_retried_after_retry_after(provider, contract_server):
    server = contract_server(provider)
    server.fail_next(429, retry_after=1)
    assert create_provider(server.config()).subscribe(READER).status == "pending"
    first, second = server.requests[:2]
    assert first.line == second.line
    if provider in TELLS_RETRY_AFTER:
        # The adapter waited as long as the provider asked (a lower bound, not a speed check).
        assert second.at - first.at >= 0.95


def test_429_storm_beyond_the_retries_is_rate_limited(provider, contract_server):
    server = contract_server(provider)
    server.fail_next(429, times=20, retry_after=1)
    config = server.config()
    with pytest.raises(RateLimited) as caught:
        create_provider(config).subscribe(READER)
    assert len(server.requests) == config.max_retries + 1
    assert caught.value.retry_after == (1.0 if provider in TELLS_RETRY_AFTER else None)
    assert server.state.subscribers == {}


def test_500_is_retried_then_succeeds(provider, contract_server):
    server = contract_server(provider)
    server.fail_next(500, times=2)
    assert create_provider(server.config()).subscribe(READER).status == "pending"
    assert server.hits(SUBSCRIBE[provider]) == 3


def test_500_beyond_the_retries_is_provider_down(provider, contract_server):
    server = contract_server(provider)
    server.fail_next(500, times=20)
    config = server.config()
    with pytest.raises(ProviderDown) as caught:
        create_provider(config).subscribe(READER)
    assert caught.value.status == 500
    assert len(server.requests) == config.max_retries + 1


def test_no_answer_in_time_is_provider_down(provider, contract_server):
    server = contract_server(provider)
    server.delay_next(SLOW, after_accept=False, times=20)
    config = server.config()
    with pytest.raises(ProviderDown) as caught:
        create_provider(config).subscribe(READER)
    assert "no answer within 2 s" in caught.value.message
    assert server.hits(SUBSCRIBE[provider]) == config.max_retries + 1
    assert server.state.subscribers == {}


def test_subscribe_accepted_then_timed_out_is_retried_harmlessly(provider, contract_server):
    server = contract_server(provider)
    server.delay_next(SLOW, after_accept=True, when=SUBSCRIBE[provider])
    adapter = create_provider(server.config())
    try:
        result = adapter.subscribe(READER)
    except AlreadySubscribed:
        result = None  # the repeat met the first attempt: still a success for the reader
    if provider in IDEMPOTENT | {"kit", "brevo"}:
        assert result is not None and result.status == "pending"
    assert list(server.state.subscribers) == [READER.email]
    assert server.state.confirmations == [READER.email]


def test_deliver_sends_exactly_once_and_is_found_afterwards(provider, contract_server):
    server = contract_server(provider)
    adapter = create_provider(server.config())
    editions = [sample_edition(n) for n in range(1, 4)]
    assert adapter.find_delivery(editions[0]) is None
    deliveries = [adapter.deliver(edition) for edition in editions]
    assert [d.status for d in deliveries] == ["scheduled" if provider == "kit" else "sending"] * 3
    assert sorted(server.state.sent) == sorted(d.provider_id for d in deliveries)
    # Three campaigns, pages of two: every look-up walks the pages.
    for edition, delivery in zip(editions, deliveries, strict=True):
        found = adapter.find_delivery(edition)
        assert found is not None
        assert (found.key, found.provider_id) == (edition.key, delivery.provider_id)
        assert found.status in ("sent", "scheduled")
    again = adapter.deliver(editions[0])
    assert again.provider_id == deliveries[0].provider_id
    assert len(server.state.campaigns) == 3
    assert len(server.state.sent) == 3
    assert server.hits(CREATE[provider]) == 3


def test_create_accepted_then_timed_out_is_not_duplicated(provider, contract_server):
    server = contract_server(provider)
    adapter = create_provider(server.config())
    edition = sample_edition(5)
    server.delay_next(SLOW, after_accept=True, when=CREATE[provider])
    if provider in IDEMPOTENT:
        # The repeat carries the same X-Idempotency-Key: Buttondown replays the first answer.
        adapter.deliver(edition)
    else:
        with pytest.raises(ProviderDown) as caught:
            adapter.deliver(edition)
        assert "may have accepted it" in caught.value.message
        assert server.hits(CREATE[provider]) == 1
        assert server.state.sent == []
        found = adapter.find_delivery(edition)
        assert found is not None and found.status == "draft"
        # The next run sends the draft the provider already has.
        adapter.deliver(edition)
    assert len(server.state.campaigns) == 1
    assert len(server.state.sent) == 1
    assert adapter.find_delivery(edition).status in ("sent", "scheduled")


def test_send_accepted_then_timed_out_is_never_sent_twice(provider, contract_server):
    server = contract_server(provider)
    adapter = create_provider(server.config())
    edition = sample_edition(6)
    server.delay_next(SLOW, after_accept=True, when=SEND[provider])
    if provider in REPEATABLE_SEND:
        adapter.deliver(edition)
    else:
        with pytest.raises(ProviderDown):
            adapter.deliver(edition)
        assert server.hits(SEND[provider]) == 1
    found = adapter.find_delivery(edition)
    assert found is not None and found.status in ("sent", "scheduled")
    assert adapter.deliver(edition).provider_id == found.provider_id
    assert len(server.state.sent) == 1
    assert len(server.state.campaigns) == 1


def test_500_on_create_is_retried_500_on_send_is_left_to_the_ledger(provider, contract_server):
    server = contract_server(provider)
    adapter = create_provider(server.config())
    edition = sample_edition(7)
    server.fail_next(500, when=CREATE[provider])
    server.fail_next(500, when=SEND[provider])
    if provider in REPEATABLE_SEND:
        adapter.deliver(edition)
        assert server.hits(SEND[provider]) == 2
    else:
        with pytest.raises(ProviderDown):
            adapter.deliver(edition)
        assert server.hits(SEND[provider]) == 1
        assert server.state.sent == []
        adapter.deliver(edition)
    assert server.hits(CREATE[provider]) == 2
    assert len(server.state.campaigns) == 1
    assert len(server.state.sent) == 1


def test_429_storm_on_deliver_is_ridden_out(provider, contract_server):
    server = contract_server(provider)
    adapter = create_provider(server.config())
    server.fail_next(429, times=2, when=CREATE[provider])
    server.fail_next(429, times=2, when=SEND[provider])
    delivery = adapter.deliver(sample_edition(8))
    assert server.state.sent == [delivery.provider_id]
    assert server.hits(CREATE[provider]) == 3
    assert server.hits(SEND[provider]) == 3


def test_the_key_never_shows(provider, contract_server, caplog):
    caplog.set_level(logging.DEBUG)
    server = contract_server(provider)
    config = server.config()
    adapter = create_provider(config)
    # A provider that echoes the key back in its error must not get it printed.
    server.fail_next(401, body={"message": f"bad key {config.api_key}", "detail": config.api_key})
    with pytest.raises(BadCredentials) as bad:
        adapter.subscribe(READER)
    server.fail_next(429, times=config.max_retries + 1)
    with pytest.raises(RateLimited) as limited:
        adapter.deliver(sample_edition(9))
    server.delay_next(SLOW, after_accept=False, times=config.max_retries + 1)
    with pytest.raises(ProviderDown) as down:
        adapter.find_delivery(sample_edition(9))
    password = config.api_key.split(":")[-1]
    shown = [repr(config), str(config), repr(adapter), str(adapter.__dict__), caplog.text]
    for caught in (bad, limited, down):
        shown += [str(caught.value), repr(caught.value), caught.value.message]
        shown.append("".join(traceback.format_exception(caught.value)))
    assert "[redacted]" in bad.value.message
    for text in shown:
        assert config.api_key not in text
        assert password not in text
