"""The signup form in the theme: its data, its markup, and no secret in the built site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from jinja2 import Environment, FileSystemLoader

from condividi import i18n
from condividi.build import BuildError
from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.form import FormSpec, form_spec
from condividi.newsletter.providers.public_forms import public_form
from tests.conftest import ROOT, BuildSite

ARTICLE = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/index.html"
SECRET = "sk-CONDIVIDI-7f3a9c-do-not-publish"
SMTP_SECRET = "smtp-pw-CONDIVIDI-e41b"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def render(spec: FormSpec, lang: str = "it") -> BeautifulSoup:
    env = Environment(loader=FileSystemLoader(str(ROOT / "theme" / "templates")))
    i18n.install(env)
    html = env.get_template("partials/newsletter_form.html").render(
        NEWSLETTER_FORM=spec,
        SITEURL="https://blog.example.org",
        THEME_STATIC_DIR="theme",
        DEFAULT_LANG=lang,
        CONDIVIDI_LOCALEDIR=str(ROOT / "theme" / "translations"),
    )
    return BeautifulSoup(html, "html.parser")


# -- the form's data -----------------------------------------------------------------------


def test_default_form_posts_to_the_signup_endpoint() -> None:
    spec = form_spec(NewsletterConfig())
    assert spec == FormSpec("http://127.0.0.1:8090/subscribe", "2026-11-01")
    assert spec.enhanced and spec.honeypot == "website"


@pytest.mark.parametrize("url", ["", "/subscribe", "ftp://example.org/subscribe"])
def test_bad_signup_url_is_named(url: str) -> None:
    with pytest.raises(ConfigError, match="NEWSLETTER_SIGNUP_URL"):
        form_spec(NewsletterConfig(signup_url=url))


PUBLIC_FORM_CONFIGS = {
    "buttondown": {"buttondown_username": "condividi"},
    "mailchimp": {
        "public_form_url": "https://condividi.us6.list-manage.com/subscribe/post?u=abc&id=def"
    },
    "mailerlite": {"mailerlite_account_id": "123", "mailerlite_form_id": "456"},
    "kit": {"list_id": "789"},
    "listmonk": {"api_url": "https://liste.example.org", "listmonk_list_uuid": "a-b-c"},
}


@pytest.mark.parametrize("provider", sorted(PUBLIC_FORM_CONFIGS))
def test_public_form_posts_to_the_provider(provider: str) -> None:
    config = NewsletterConfig(
        provider=provider, public_form=True, api_key=SECRET, **PUBLIC_FORM_CONFIGS[provider]
    )
    public = public_form(provider, config)
    spec = form_spec(config)
    assert spec.action == public.action and not spec.enhanced
    assert spec.action.startswith("https://")

    page = render(spec)
    form = page.find("form")
    assert form["action"] == public.action and not form.has_attr("data-newsletter")
    assert form.find("input", attrs={"type": "email"})["name"] == public.fields["email"]
    consent = form.find("input", attrs={"type": "checkbox"})
    assert consent.has_attr("required") and not consent.has_attr("name")
    hidden = {i["name"]: i["value"] for i in form.find_all("input", attrs={"type": "hidden"})}
    assert hidden == public.hidden  # no lang field: that one is ours
    trap = form.find("input", attrs={"tabindex": "-1"})
    if "honeypot" in public.fields:
        assert trap["name"] == public.fields["honeypot"]
        assert trap.find_parent("div")["aria-hidden"] == "true"
    else:
        assert trap is None
    assert page.find("script") is None  # a real form post, as Buttondown asks
    assert SECRET not in str(page)


def test_public_form_without_its_settings_names_them() -> None:
    with pytest.raises(ConfigError, match="BUTTONDOWN_USERNAME"):
        form_spec(NewsletterConfig(provider="buttondown", public_form=True))


def test_partial_in_english() -> None:
    page = render(FormSpec("https://news.example.org/subscribe", "2027-01-01"), lang="en")
    assert page.find("label", attrs={"for": "nl-email"}).get_text() == "Your email address"
    consent = page.find("label", attrs={"for": "nl-consent"})
    assert "privacy policy" in consent.get_text() and "(version 2027-01-01)" in consent.get_text()
    assert page.find("input", attrs={"name": "lang"})["value"] == "en"
    assert page.find("button").get_text() == "Subscribe"


# -- the built sample site -----------------------------------------------------------------


def the_form(page: BeautifulSoup) -> Any:
    form = page.select_one("form.newsletter-form")
    assert form is not None, "no signup form"
    return form


def test_article_form_works_without_javascript(sample_output: Path) -> None:
    page = soup(sample_output / ARTICLE)
    form = the_form(page.select_one("aside.thanks"))
    assert form["method"] == "post"
    assert form["action"] == "http://127.0.0.1:8090/subscribe"
    email = form.find("input", attrs={"name": "email"})
    assert email["type"] == "email" and email["autocomplete"] == "email"
    assert email.has_attr("required")
    assert form.find("label", attrs={"for": email["id"]}).get_text() == "Il tuo indirizzo email"
    consent = form.find("input", attrs={"name": "consent"})
    assert consent["type"] == "checkbox" and consent.has_attr("required")
    consent_label = form.find("label", attrs={"for": consent["id"]})
    assert consent_label.find("a")["href"].endswith("/privacy/")
    assert "(versione 2026-11-01)" in consent_label.get_text()
    assert form.find("input", attrs={"name": "lang"})["value"] == "it"
    assert form.find("button", attrs={"type": "submit"}).get_text() == "Iscriviti"
    assert form.find(attrs={"role": "alert"}) is not None
    assert form.find(attrs={"role": "status"}) is not None
    # newsletter.js is part of the theme's one script file
    assert page.find("script", src=lambda s: s and s.endswith("/theme/js/site.js"))


def test_honeypot_is_hidden_from_people(sample_output: Path) -> None:
    form = the_form(soup(sample_output / ARTICLE))
    trap = form.find("input", attrs={"name": "website"})
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    wrapper = trap.find_parent("div")
    assert wrapper["aria-hidden"] == "true"
    assert "visually-hidden" in wrapper["class"]
    assert wrapper.find("label", attrs={"for": trap["id"]}).get_text() == (
        "Lascia vuoto questo campo"
    )


def test_form_on_the_newsletter_and_error_pages(sample_output: Path) -> None:
    page = soup(sample_output / "newsletter" / "index.html")
    form = the_form(page)
    assert "newsletter-form -->" not in str(page)
    # The form sits where the marker was: after the introduction, before the details.
    before = form.find_previous("p").get_text()
    assert "casella piena" in before
    errore = soup(sample_output / "newsletter" / "errore" / "index.html")
    assert the_form(errore)


def test_english_article_gets_the_english_form(sample_output: Path) -> None:
    [path] = (sample_output / "en").glob("why-*/index.html")
    form = the_form(soup(path))
    assert form.find("button").get_text() == "Subscribe"
    assert form.find("input", attrs={"name": "lang"})["value"] == "en"


def test_consent_names_the_version_of_the_privacy_page(sample_output: Path) -> None:
    privacy = soup(sample_output / "privacy" / "index.html").get_text()
    assert "Versione dell'informativa: 2026-11-01" in privacy
    assert NewsletterConfig().privacy_policy_version == "2026-11-01"


def test_no_secret_in_the_built_site(make_site: BuildSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_PROVIDER", "buttondown")
    monkeypatch.setenv("NEWSLETTER_API_KEY", SECRET)
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", SMTP_SECRET)
    output = make_site(overrides={"NEWSLETTER_SIGNUP_URL": "https://news.example.org/subscribe"})
    files = [path for path in output.rglob("*") if path.is_file()]
    assert len(files) > 30
    for path in files:
        data = path.read_bytes()
        for secret in (SECRET, SMTP_SECRET):
            assert secret.encode() not in data, f"{secret} in {path.relative_to(output)}"
    form = the_form(soup(output / ARTICLE))
    assert form["action"] == "https://news.example.org/subscribe"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"NEWSLETTER_API_KEY": "sk-in-a-file"}, "NEWSLETTER_API_KEY must not be in a settings"),
        ({"NEWSLETTER_SMTP_PASSWORD": "pw"}, "NEWSLETTER_SMTP_PASSWORD must not be in"),
        ({"NEWSLETTER_SIGNUP_URL": "/subscribe"}, "NEWSLETTER_SIGNUP_URL = '/subscribe'"),
    ],
)
def test_bad_newsletter_settings_stop_the_build(
    make_site: BuildSite, overrides: dict[str, str], words: str
) -> None:
    with pytest.raises(BuildError, match=words):
        make_site(overrides=overrides)
