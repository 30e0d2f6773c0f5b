"""The adapters' pure request builders and parsers, without a network."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers import (
    brevo,
    buttondown,
    create_provider,
    kit,
    listmonk,
    mailchimp,
    mailerlite,
    mailman,
    unsubscribe_tag,
)
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    InvalidAddress,
    Provenance,
    Subscription,
)
from condividi.newsletter.providers.common import (
    campaign_name,
    edition_marker,
    found_delivery,
    has_marker,
)
from condividi.newsletter.providers.http import ApiResponse, Repeat
from tests.providers_support import sample_edition

EDITION = sample_edition(3)
MARKER = edition_marker(EDITION.key)
READER = Subscription(
    "lettrice@example.org",
    consent_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
    privacy_policy_version="2026-11-01",
    name="Ada",
)


def config(**values) -> NewsletterConfig:
    defaults = {
        "api_key": "key-123",
        "list_id": "42",
        "from_name": "Lettere",
        "from_email": "autrice@example.org",
    }
    return NewsletterConfig(**{**defaults, **values})


def basic(header: str) -> str:
    return base64.b64decode(header.removeprefix("Basic ")).decode()


# -- shared helpers ------------------------------------------------------------------------
def test_the_marker_is_stable_short_and_distinct():
    # A known value: the marker must never change between runs or versions.
    key = "tag:blog.example.org,2026-01-01:/posts/a/"
    assert edition_marker(key) == "condividi-bea82311a8e7d7a7"
    assert edition_marker(sample_edition(4).key) != MARKER
    assert MARKER.startswith("condividi-") and len(MARKER) == 26
    assert MARKER.replace("-", "").isalnum()


def test_campaign_names_keep_the_marker_whole():
    name = campaign_name("Un titolo " * 30, MARKER)
    assert len(name) <= 100
    assert name.endswith(f"… [{MARKER}]")
    assert has_marker(name, MARKER)
    assert campaign_name("Breve", MARKER) == f"Breve [{MARKER}]"


def test_markers_match_only_whole():
    assert has_marker(f"x [{MARKER}]", MARKER)
    assert not has_marker(f"x [{MARKER}0]", MARKER)
    assert not has_marker(None, MARKER)


@pytest.mark.parametrize(
    ("provider", "tag"),
    [
        ("buttondown", "{{ unsubscribe_url }}"),
        ("mailchimp", "*|UNSUB|*"),
        ("brevo", "{{ unsubscribe }}"),
        ("mailerlite", "{$unsubscribe}"),
        ("kit", "{{ unsubscribe_url }}"),
        ("listmonk", "{{ UnsubscribeURL }}"),
        ("mailman", None),
        ("local", None),
    ],
)
def test_unsubscribe_tags(provider, tag):
    assert unsubscribe_tag(provider) == tag


def test_unknown_provider_has_no_tag():
    with pytest.raises(ValueError, match="feedburner"):
        unsubscribe_tag("feedburner")


def test_the_key_is_not_in_the_settings_repr():
    assert "key-123" not in repr(config())


# -- settings each adapter needs -------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"provider": "buttondown", "api_key": None}, "NEWSLETTER_API_KEY"),
        ({"provider": "mailchimp", "list_id": None}, "NEWSLETTER_LIST_ID"),
        ({"provider": "mailchimp", "api_key": "no-suffix!"}, "NEWSLETTER_MAILCHIMP_SERVER"),
        ({"provider": "brevo", "list_id": "abc"}, "NEWSLETTER_LIST_ID"),
        ({"provider": "brevo"}, "NEWSLETTER_BREVO_DOI_TEMPLATE_ID"),
        ({"provider": "brevo", "brevo_doi_template_id": 3}, "NEWSLETTER_BREVO_DOI_REDIRECT_URL"),
        ({"provider": "kit", "list_id": None}, "NEWSLETTER_LIST_ID"),
        ({"provider": "listmonk"}, "NEWSLETTER_API_URL"),
        ({"provider": "listmonk", "api_url": "http://l.example"}, "api_user:token"),
        (
            {"provider": "mailman", "api_url": "http://m", "api_key": "a:b", "list_id": None},
            "LIST_ID",
        ),
        (
            {
                "provider": "mailman",
                "api_url": "http://m",
                "api_key": "a:b",
                "mailman_post_url": "x",
            },
            "NEWSLETTER_MAILMAN_POST_URL",
        ),
    ],
)
def test_missing_settings_are_named(values, named):
    with pytest.raises(ConfigError, match=named):
        create_provider(config(**values))


def test_kit_and_mailerlite_need_no_list_without_double_opt_in():
    create_provider(config(provider="kit", list_id=None, double_opt_in=False))
    create_provider(config(provider="mailerlite", list_id=None))


# -- Buttondown ----------------------------------------------------------------------------
def test_buttondown_headers_pin_the_version():
    headers = buttondown.auth_headers(config(list_id="newsletter-2"))
    assert headers == {
        "Authorization": "Token key-123",
        "X-API-Version": "2026-04-01",
        "Buttondown-Context": "newsletter-2",
    }


def test_buttondown_subscribe_keeps_consent_and_skips_doi_only_when_asked():
    request = buttondown.subscribe_request(config(), READER, "subscribe-1")
    assert (request.method, request.path, request.repeat) == ("POST", "/subscribers", Repeat.SAFE)
    assert request.headers == {"X-Idempotency-Key": "subscribe-1"}
    assert request.json == {
        "email_address": "lettrice@example.org",
        "metadata": {
            "lang": "it",
            "consent_at": "2026-11-02T09:30:00+00:00",
            "privacy_policy_version": "2026-11-01",
        },
    }
    plain = buttondown.subscribe_request(config(double_opt_in=False), READER, "k")
    assert plain.json["type"] == "regular"


IMPORTED = Subscription(
    "lettrice@example.org",
    provenance=Provenance(
        import_id="0123-buttondown-ab12-confirmed",
        source="FeedBurner email subscribers export lettori.csv, row 12",
        subscribed_at=datetime(2011, 5, 6, tzinfo=UTC),
        consent_note="Iscritta con doppio opt-in su FeedBurner",
    ),
)
IMPORT_RECORD = {
    "condividi_import": "0123-buttondown-ab12-confirmed",
    "condividi_source": "FeedBurner email subscribers export lettori.csv, row 12",
    "condividi_subscribed_at": "2011-05-06T00:00:00+00:00",
    "condividi_consent_note": "Iscritta con doppio opt-in su FeedBurner",
}


def test_buttondown_confirmed_import_keeps_the_consent_note():
    request = buttondown.subscribe_request(config(double_opt_in=False), IMPORTED, "k")
    assert request.json == {
        "email_address": "lettrice@example.org",
        "metadata": {"lang": "it", **IMPORT_RECORD},
        "type": "regular",
        "notes": "Iscritta con doppio opt-in su FeedBurner "
        "(FeedBurner email subscribers export lettori.csv, row 12)",
    }
    # Re-confirmed instead: where it came from, no note, Buttondown's double opt-in.
    reconfirm = dataclasses.replace(
        IMPORTED, provenance=dataclasses.replace(IMPORTED.provenance, consent_note=None)
    )
    body = buttondown.subscribe_request(config(), reconfirm, "k").json
    assert "type" not in body and "notes" not in body
    assert "condividi_consent_note" not in body["metadata"]
    assert body["metadata"]["condividi_source"].endswith("row 12")


def test_listmonk_confirmed_import_keeps_the_note_in_attribs():
    request = listmonk.subscribe_request(config(double_opt_in=False), IMPORTED)
    assert request.json["attribs"] == {"lang": "it", **IMPORT_RECORD}
    assert request.json["preconfirm_subscriptions"] is True
    assert listmonk.subscribe_request(config(), IMPORTED).json["preconfirm_subscriptions"] is False


def test_buttondown_result_reads_the_type():
    pending = buttondown.subscribe_result(ApiResponse(201, {"id": "s1", "type": "unactivated"}, {}))
    done = buttondown.subscribe_result(ApiResponse(201, {"id": "s1", "type": "regular"}, {}))
    assert (pending.status, done.status, done.provider_id) == ("pending", "subscribed", "s1")


def test_buttondown_create_and_send_are_draft_then_patch_with_stable_keys():
    create = buttondown.create_request(EDITION)
    assert (create.method, create.path) == ("POST", "/emails")
    assert create.json["status"] == "draft"
    assert create.json["body"].startswith("<!-- buttondown-editor-mode: fancy -->\n<p>")
    assert create.json["metadata"] == {"condividi_key": EDITION.key, "condividi_marker": MARKER}
    assert create.json["canonical_url"] == EDITION.url
    assert (
        create.headers["X-Idempotency-Key"]
        == buttondown.create_request(EDITION).headers["X-Idempotency-Key"]
    )
    send = buttondown.send_request("e1", EDITION)
    assert (send.method, send.path, send.json) == (
        "PATCH",
        "/emails/e1",
        {"status": "about_to_send"},
    )
    assert send.headers["X-Idempotency-Key"] != create.headers["X-Idempotency-Key"]


def test_buttondown_listing_and_matching():
    request = buttondown.list_request()
    assert ("status", "sent") in request.params and ("status", "draft") in request.params
    assert buttondown.next_page({"next": "https://x/v1/emails?page=2&status=sent"}) == (
        ("page", "2"),
        ("status", "sent"),
    )
    assert buttondown.next_page({"next": None}) is None
    page = {
        "results": [{"id": "e9", "status": "in_flight", "metadata": {"condividi_marker": MARKER}}]
    }
    found = buttondown.match_delivery(page, EDITION)
    assert (found.provider_id, found.status) == ("e9", "sending")
    assert buttondown.match_delivery({"results": [{"id": "x", "metadata": {}}]}, EDITION) is None


def test_a_found_campaign_in_a_status_the_adapter_does_not_know_counts_as_sending():
    # Never "sent" (the post would be lost) nor absent (it would be sent twice).
    statuses = {"sent": "sent", "draft": "draft"}
    assert found_delivery("k", {"id": 7, "status": "sent"}, statuses).status == "sent"
    unknown = found_delivery("k", {"id": 7, "status": "paused_by_support"}, statuses)
    assert (unknown.key, unknown.provider_id, unknown.status) == ("k", "7", "sending")
    assert found_delivery("k", {"id": 7}, statuses).status == "sending"


@pytest.mark.parametrize(
    ("status", "payload", "cls"),
    [
        (400, {"code": "email_already_exists"}, AlreadySubscribed),
        (400, {"code": "subscriber_already_exists"}, AlreadySubscribed),
        (400, {"code": "email_invalid"}, InvalidAddress),
        (422, {"detail": [{"loc": ["body", "email_address"], "msg": "bad"}]}, InvalidAddress),
        (400, {"code": "subscriber_suppressed"}, None),
    ],
)
def test_buttondown_errors(status, payload, cls):
    assert buttondown.map_error(status, payload, "") is cls


# -- Mailchimp -----------------------------------------------------------------------------
def test_mailchimp_data_center_comes_from_the_key():
    assert mailchimp.server_prefix(config(api_key="abc-us6")) == "us6"
    assert mailchimp.server_prefix(config(api_key="abc-us6", mailchimp_server="us9")) == "us9"
    assert mailchimp.base_url(config(api_key="abc-us6")) == "https://us6.api.mailchimp.com/3.0"
    assert basic(mailchimp.auth_headers(config(api_key="abc-us6"))["Authorization"]).endswith(
        ":abc-us6"
    )


def test_mailchimp_subscribe_is_pending_under_doi():
    request = mailchimp.subscribe_request(config(), READER)
    assert (request.method, request.path) == ("POST", "/lists/42/members")
    assert request.json == {"email_address": READER.email, "status": "pending"}
    assert mailchimp.subscribe_request(config(double_opt_in=False), READER).json["status"] == (
        "subscribed"
    )


def test_mailchimp_confirmed_import_tags_the_member_and_notes_the_consent():
    request = mailchimp.subscribe_request(config(double_opt_in=False), IMPORTED)
    assert request.json == {
        "email_address": "lettrice@example.org",
        "status": "subscribed",
        "tags": ["condividi-import-0123-buttondown-ab12-confirmed"],
        "timestamp_signup": "2011-05-06T00:00:00+00:00",
    }
    note = mailchimp.note_request(config(), "Lettrice@Example.org", IMPORTED.provenance)
    digest = hashlib.md5(b"lettrice@example.org").hexdigest()  # Mailchimp's member id
    assert (note.method, note.repeat) == ("POST", Repeat.CREATE)
    assert note.path == f"/lists/42/members/{digest}/notes"
    assert mailchimp.member_request(config(), "lettrice@EXAMPLE.org").path == (
        f"/lists/42/members/{digest}"
    )
    assert note.json == {
        "note": "Iscritta con doppio opt-in su FeedBurner — FeedBurner email subscribers export "
        "lettori.csv, row 12, subscribed 2011-05-06"
    }
    member = {
        "tags": [{"id": 1, "name": "condividi-import-0123-buttondown-ab12-confirmed"}],
        "last_note": {"note": note.json["note"]},
    }
    assert mailchimp.made_by(member, IMPORTED.provenance)
    assert mailchimp.has_note(member, IMPORTED.provenance)
    assert not mailchimp.made_by({"tags": [{"name": "vip"}]}, IMPORTED.provenance)
    assert not mailchimp.has_note({"last_note": None}, IMPORTED.provenance)


def test_mailchimp_campaign_steps():
    create = mailchimp.create_request(config(reply_to="posta@example.org"), EDITION)
    assert create.repeat is Repeat.CREATE
    assert create.json["recipients"] == {"list_id": "42"}
    settings = create.json["settings"]
    assert has_marker(settings["title"], MARKER)
    assert settings["subject_line"] == EDITION.subject
    assert settings["reply_to"] == "posta@example.org"
    content = mailchimp.content_request("c1", EDITION)
    assert (content.method, content.path) == ("PUT", "/campaigns/c1/content")
    assert content.json == {"html": EDITION.html, "plain_text": EDITION.text}
    send = mailchimp.send_request("c1")
    assert (send.method, send.path, send.repeat) == (
        "POST",
        "/campaigns/c1/actions/send",
        Repeat.SEND,
    )


@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        ({"title": "Member Exists"}, AlreadySubscribed),
        ({"title": "Invalid Resource", "detail": "x looks fake or invalid"}, InvalidAddress),
        ({"title": "Invalid Resource", "errors": [{"field": "email_address"}]}, InvalidAddress),
        ({"title": "Invalid Resource", "detail": "Merge field FNAME is required"}, None),
    ],
)
def test_mailchimp_errors(payload, cls):
    assert mailchimp.map_error(400, payload, "") is cls


# -- Brevo ---------------------------------------------------------------------------------
def test_brevo_double_opt_in_request():
    request = brevo.subscribe_request(
        config(brevo_doi_template_id=9, brevo_doi_redirect_url="https://b.example/ok"), READER
    )
    assert (request.method, request.path) == ("POST", "/contacts/doubleOptinConfirmation")
    assert request.json == {
        "email": READER.email,
        "includeListIds": [42],
        "templateId": 9,
        "redirectionUrl": "https://b.example/ok",
    }
    plain = brevo.subscribe_request(config(double_opt_in=False), READER)
    assert plain.path == "/contacts"
    assert plain.json == {"email": READER.email, "listIds": [42], "updateEnabled": False}


def test_brevo_campaign_is_named_and_tagged():
    create = brevo.create_request(config(), EDITION)
    assert create.json["tag"] == MARKER
    assert has_marker(create.json["name"], MARKER)
    assert create.json["sender"] == {"name": "Lettere", "email": "autrice@example.org"}
    assert create.json["recipients"] == {"listIds": [42]}
    assert brevo.send_request("7").path == "/emailCampaigns/7/sendNow"
    assert dict(brevo.list_request(100).params)["offset"] == "100"


@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        (
            {"code": "duplicate_parameter", "message": "email is already associated"},
            AlreadySubscribed,
        ),
        ({"code": "invalid_parameter", "message": "Contact already exist"}, AlreadySubscribed),
        ({"code": "invalid_parameter", "message": "Invalid email address"}, InvalidAddress),
        ({"code": "missing_parameter", "message": "templateId is missing"}, None),
    ],
)
def test_brevo_errors(payload, cls):
    assert brevo.map_error(400, payload, "") is cls


# -- MailerLite ----------------------------------------------------------------------------
def test_mailerlite_subscribe_and_result():
    request = mailerlite.subscribe_request(config(), READER)
    assert request.json == {
        "email": READER.email,
        "status": "unconfirmed",
        "groups": ["42"],
        "fields": {"name": "Ada"},
    }
    new = mailerlite.subscribe_result(
        ApiResponse(201, {"data": {"id": "5", "status": "unconfirmed"}}, {})
    )
    assert new.status == "pending"
    with pytest.raises(AlreadySubscribed):
        mailerlite.subscribe_result(ApiResponse(200, {"data": {"id": "5", "status": "active"}}, {}))


def test_mailerlite_campaign_steps_and_listing():
    create = mailerlite.create_request(config(), EDITION)
    assert create.json["emails"][0]["content"] == EDITION.html
    assert create.json["groups"] == ["42"]
    send = mailerlite.send_request("8")
    assert (send.path, send.json) == ("/campaigns/8/schedule", {"delivery": "instant"})
    assert dict(mailerlite.list_request("sent", 2).params)["filter[status]"] == "sent"
    assert mailerlite.has_next_page({"links": {"next": "https://x?page=2"}})
    assert mailerlite.has_next_page({"links": {}, "meta": {"current_page": 1, "last_page": 3}})
    assert not mailerlite.has_next_page({"links": {"next": None}, "meta": {}})
    assert mailerlite.map_error(422, {"errors": {"email": ["bad"]}}, "") is InvalidAddress


# -- Kit -----------------------------------------------------------------------------------
def test_kit_subscribe_is_inactive_then_the_form():
    first = kit.subscriber_request(config(), READER)
    assert first.json == {"email_address": READER.email, "state": "inactive", "first_name": "Ada"}
    form = kit.form_request(config(), READER)
    assert (form.path, form.json) == ("/forms/42/subscribers", {"email_address": READER.email})
    assert kit.existing_state(ApiResponse(200, {"subscriber": {"state": "active"}}, {})) == "active"
    assert kit.existing_state(ApiResponse(201, {"subscriber": {"state": "inactive"}}, {})) is None


def test_kit_broadcast_is_a_draft_then_scheduled():
    create = kit.create_request(EDITION)
    assert create.json["send_at"] is None
    assert has_marker(create.json["description"], MARKER)
    now = datetime(2026, 11, 2, 9, 30, 15, 999, tzinfo=UTC)
    send = kit.send_request("12", EDITION, now)
    assert (send.method, send.path, send.repeat) == ("PUT", "/broadcasts/12", Repeat.SAFE)
    assert send.json["send_at"] == "2026-11-02T09:31:15+00:00"
    assert send.json["content"] == EDITION.html


def test_kit_listing():
    assert kit.next_cursor({"pagination": {"has_next_page": True, "end_cursor": "Wz"}}) == "Wz"
    assert kit.next_cursor({"pagination": {"has_next_page": False, "end_cursor": "Wz"}}) is None
    assert kit.broadcast_status({"send_at": None}) == "draft"
    assert kit.broadcast_status({"send_at": "2026-11-02T09:31:15Z"}) == "scheduled"
    assert kit.broadcast_status({"status": "completed"}) == "sent"


# -- Listmonk ------------------------------------------------------------------------------
def test_listmonk_subscribe_and_auth():
    settings = config(api_key="api_user:tok")
    assert basic(listmonk.auth_headers(settings)["Authorization"]) == "api_user:tok"
    request = listmonk.subscribe_request(settings, Subscription("senza.nome@example.org"))
    assert request.json["name"] == "senza.nome"
    assert request.json["lists"] == [42]
    assert request.json["preconfirm_subscriptions"] is False


@pytest.mark.parametrize(
    ("entry", "status"),
    [
        ({"id": 42, "optin": "double", "subscription_status": "unconfirmed"}, "pending"),
        ({"id": 42, "optin": "single", "subscription_status": "unconfirmed"}, "subscribed"),
        ({"id": 42, "optin": "double", "subscription_status": "confirmed"}, "subscribed"),
    ],
)
def test_listmonk_pending_only_on_double_opt_in_lists(entry, status):
    response = ApiResponse(200, {"data": {"id": 3, "lists": [entry]}}, {})
    assert listmonk.subscribe_result(config(), response).status == status


def test_listmonk_campaign_steps():
    create = listmonk.create_request(config(), EDITION)
    assert create.json["tags"] == [MARKER]
    assert create.json["altbody"] == EDITION.text
    assert create.json["from_email"] == "Lettere <autrice@example.org>"
    send = listmonk.send_request("4")
    assert (send.method, send.path, send.json) == (
        "PUT",
        "/api/campaigns/4/status",
        {"status": "running"},
    )
    assert send.repeat is Repeat.SEND
    assert listmonk.map_error(409, {}, "E-mail already exists.") is AlreadySubscribed
    assert listmonk.map_error(400, {}, "Invalid email.") is InvalidAddress


# -- Mailman -------------------------------------------------------------------------------
def test_mailman_requests():
    settings = config(list_id="lettere@lists.example.org", api_key="restadmin:pw")
    assert mailman.list_id(settings) == "lettere.lists.example.org"
    request = mailman.subscribe_request(settings, READER)
    assert request.json["pre_verified"] is False and request.json["pre_confirmed"] is False
    assert mailman.held_request(settings).path == "/3.1/lists/lettere.lists.example.org/held"
    assert mailman.post_target(config(mailman_post_url="lmtp://127.0.0.1:8024")) == (
        "lmtp",
        "127.0.0.1",
        8024,
    )
    assert mailman.post_target(config()) == ("smtp", "localhost", 25)


def test_mailman_post_is_multipart_with_a_stable_message_id():
    settings = config(reply_to="risposte@example.org")
    msg = mailman.build_post(EDITION, settings, "lettere@lists.example.org")
    assert msg["To"] == "lettere@lists.example.org"
    assert msg["Message-ID"] == f"<{MARKER}@example.org>"
    assert msg["Reply-To"] == "risposte@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().strip() == EDITION.text
    assert msg.get_body(("html",)).get_content().strip() == EDITION.html


def test_mailman_results():
    pending = mailman.subscribe_result(ApiResponse(202, {"token": "t0k"}, {}))
    assert (pending.status, pending.provider_id) == ("pending", "t0k")
    done = mailman.subscribe_result(
        ApiResponse(201, None, {"location": "http://m/3.1/members/abc123"})
    )
    assert (done.status, done.provider_id) == ("subscribed", "abc123")
    assert mailman.map_error(409, {}, "Member already subscribed") is AlreadySubscribed
    assert mailman.map_error(400, {}, 'Invalid Parameter "subscriber": .') is InvalidAddress
