"""Public form endpoints, from the facts in providers.md."""

from __future__ import annotations

import pytest

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.public_forms import PublicForm, public_form

MAILCHIMP_ACTION = "https://autrice.us6.list-manage.com/subscribe/post?u=abc123&id=def456"


def test_buttondown_embed_subscribe():
    form = public_form("buttondown", NewsletterConfig(buttondown_username="autrice"))
    assert form == PublicForm(
        "https://buttondown.com/api/emails/embed-subscribe/autrice",
        {"email": "email"},
        {"embed": "1"},
    )


def test_mailchimp_uses_the_embedded_form_action_and_its_honeypot():
    action, fields, hidden = public_form(
        "mailchimp", NewsletterConfig(public_form_url=MAILCHIMP_ACTION)
    )
    assert action == MAILCHIMP_ACTION
    assert fields == {"email": "EMAIL", "name": "FNAME", "honeypot": "b_abc123_def456"}
    assert hidden == {}


def test_mailerlite_form_from_account_and_form_ids():
    form = public_form(
        "mailerlite", NewsletterConfig(mailerlite_account_id="12345", mailerlite_form_id="678")
    )
    assert form.action == "https://assets.mailerlite.com/jsonp/12345/forms/678/subscribe"
    assert form.fields == {"email": "fields[email]", "name": "fields[name]"}
    assert form.hidden == {"ml-submit": "1", "anticsrf": "true"}


def test_kit_form_subscriptions():
    form = public_form("kit", NewsletterConfig(list_id="4242"))
    assert form.action == "https://app.convertkit.com/forms/4242/subscriptions"
    assert form.fields == {"email": "email_address", "name": "first_name"}


def test_listmonk_subscription_form_with_its_list_and_honeypot():
    form = public_form(
        "listmonk",
        NewsletterConfig(api_url="https://liste.example.org/", listmonk_list_uuid="a-b-c"),
    )
    assert form.action == "https://liste.example.org/subscription/form"
    assert form.fields == {"email": "email", "name": "name", "honeypot": "nonce"}
    assert form.hidden == {"l": "a-b-c"}


def test_brevo_needs_its_form_action():
    form = public_form(
        "brevo", NewsletterConfig(public_form_url="https://abc.sibforms.com/serve/MUIFA")
    )
    assert form.fields == {"email": "EMAIL", "honeypot": "email_address_check"}


def test_a_pasted_action_url_wins():
    url = "https://app.kit.com/forms/99/subscriptions"
    assert public_form("kit", NewsletterConfig(list_id="1", public_form_url=url)).action == url


@pytest.mark.parametrize(
    ("provider", "values", "named"),
    [
        ("buttondown", {}, "NEWSLETTER_BUTTONDOWN_USERNAME"),
        ("mailchimp", {}, "NEWSLETTER_PUBLIC_FORM_URL"),
        (
            "mailchimp",
            {"public_form_url": "https://x.list-manage.com/subscribe/post"},
            "u= and id=",
        ),
        ("mailchimp", {"public_form_url": "list-manage.com/post?u=1&id=2"}, "not an http"),
        ("mailerlite", {"mailerlite_account_id": "1"}, "NEWSLETTER_MAILERLITE_FORM_ID"),
        ("kit", {}, "NEWSLETTER_LIST_ID"),
        ("listmonk", {"api_url": "https://l.example.org"}, "NEWSLETTER_LISTMONK_LIST_UUID"),
        ("brevo", {}, "NEWSLETTER_PUBLIC_FORM_URL"),
        ("local", {}, "no public form endpoint"),
        ("mailman", {}, "no public form endpoint"),
    ],
)
def test_missing_or_wrong_settings_are_named(provider, values, named):
    with pytest.raises(ConfigError, match=named):
        public_form(provider, NewsletterConfig(**values))
