"""Where the site's signup form posts when it goes straight to the provider (no key needed).

From providers.md: Buttondown's embed-subscribe endpoint, Mailchimp's embedded-form action,
MailerLite's form endpoint, Kit's form subscriptions and Listmonk's ``/subscription/form``;
Brevo's hosted form when its action URL is given. Each of these follows the provider's own
double opt-in setting. They must be real form submissions (Buttondown may answer with a
CAPTCHA page), not fetch() calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig


class PublicForm(NamedTuple):
    """A provider's public form endpoint.

    ``action`` is the URL to POST to. ``fields`` maps a role to the input's name: always
    ``email``; ``name`` and ``honeypot`` (an input that must stay empty) when the provider has
    them. ``hidden`` holds fixed hidden inputs (name -> value) the form must send.
    """

    action: str
    fields: Mapping[str, str]
    hidden: Mapping[str, str]


def _need(value: str | None, setting: str, provider: str, why: str) -> str:
    if not value:
        raise ConfigError(
            f"setting NEWSLETTER_{setting} is required for the public form of {provider}: {why}"
        )
    return value


def _https(url: str, setting: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ConfigError(f"setting NEWSLETTER_{setting} = {url!r} is not an http(s) URL")
    return url


def public_form(provider: str, config: NewsletterConfig) -> PublicForm:
    """Return the public form endpoint of ``provider`` configured by ``config``.

    Raises ConfigError naming the missing setting, or saying that the provider (local,
    Mailman) has no public form endpoint.
    """
    if provider == "buttondown":
        username = _need(
            config.buttondown_username, "BUTTONDOWN_USERNAME", provider, "your Buttondown username"
        )
        return PublicForm(
            f"https://buttondown.com/api/emails/embed-subscribe/{username}",
            {"email": "email"},
            {"embed": "1"},
        )
    if provider == "mailchimp":
        url = _https(
            _need(
                config.public_form_url,
                "PUBLIC_FORM_URL",
                provider,
                "the action URL of the audience's embedded form",
            ),
            "PUBLIC_FORM_URL",
        )
        query = parse_qs(urlsplit(url).query)
        if not query.get("u") or not query.get("id"):
            raise ConfigError(
                f"setting NEWSLETTER_PUBLIC_FORM_URL = {url!r} is not a Mailchimp form action: "
                "it needs the u= and id= of the embedded form"
            )
        honeypot = f"b_{query['u'][0]}_{query['id'][0]}"
        return PublicForm(url, {"email": "EMAIL", "name": "FNAME", "honeypot": honeypot}, {})
    if provider == "mailerlite":
        if config.public_form_url:
            action = _https(config.public_form_url, "PUBLIC_FORM_URL")
        else:
            account = _need(
                config.mailerlite_account_id, "MAILERLITE_ACCOUNT_ID", provider, "your account id"
            )
            form = _need(config.mailerlite_form_id, "MAILERLITE_FORM_ID", provider, "the form id")
            action = f"https://assets.mailerlite.com/jsonp/{account}/forms/{form}/subscribe"
        return PublicForm(
            action,
            {"email": "fields[email]", "name": "fields[name]"},
            {"ml-submit": "1", "anticsrf": "true"},
        )
    if provider == "kit":
        if config.public_form_url:
            action = _https(config.public_form_url, "PUBLIC_FORM_URL")
        else:
            form = _need(config.list_id, "LIST_ID", provider, "the id of the Kit form")
            action = f"https://app.convertkit.com/forms/{form}/subscriptions"
        return PublicForm(action, {"email": "email_address", "name": "first_name"}, {})
    if provider == "listmonk":
        root = _need(config.api_url, "API_URL", provider, "the root URL of your Listmonk")
        uuid = _need(
            config.listmonk_list_uuid,
            "LISTMONK_LIST_UUID",
            provider,
            "the UUID of the public list (Lists → the list → UUID)",
        )
        action = _https(f"{root.rstrip('/')}/subscription/form", "API_URL")
        return PublicForm(
            action, {"email": "email", "name": "name", "honeypot": "nonce"}, {"l": uuid}
        )
    if provider == "brevo":
        action = _https(
            _need(
                config.public_form_url,
                "PUBLIC_FORM_URL",
                provider,
                "the action URL of the Brevo form (…sibforms.com/serve/…)",
            ),
            "PUBLIC_FORM_URL",
        )
        return PublicForm(action, {"email": "EMAIL", "honeypot": "email_address_check"}, {})
    raise ConfigError(
        f"setting NEWSLETTER_PUBLIC_FORM is True, but provider {provider} has no public form "
        "endpoint: set NEWSLETTER_PUBLIC_FORM = False to use the signup endpoint"
    )
