"""The welcome mail: the author's file (unit), the build that renders it with the latest
posts, and the local provider sending it once per confirmed address, through a real SMTP sink
and the outbox."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import Subscription
from condividi.newsletter.providers.local import LocalProvider
from condividi.newsletter.welcome import (
    LatestPost,
    WelcomeError,
    WelcomeMail,
    latest_posts,
    load_welcome,
    parse_welcome,
    read_sources,
    render_welcome,
    welcome_folder,
    write_welcomes,
)
from tests.conftest import ROOT
from tests.newsletter_support import (
    SmtpSink,
    body_text,
    links,
    make_config,
    outbox_messages,
    token_of,
)

LOCALEDIR = str(ROOT / "theme" / "translations")
POSTS = [
    LatestPost("Nuovo", "https://blog.example.org/nuovo/", "it"),
    LatestPost("New", "https://blog.example.org/en/new/", "en"),
    LatestPost("Vecchio", "https://blog.example.org/vecchio/", "it"),
]


# Unit


def test_the_file_gives_subject_and_markdown_body() -> None:
    source = parse_welcome("Subject: Ciao!\n\nGrazie **davvero**.\n", "it", "welcome.md")
    assert (source.subject, source.body) == ("Ciao!", "Grazie **davvero**.")


@pytest.mark.parametrize(
    ("text", "problem"),
    [("Grazie.\n", "needs a 'Subject:' line"), ("Subject: Ciao\n\n", "no text")],
)
def test_a_broken_file_is_named(text: str, problem: str) -> None:
    with pytest.raises(WelcomeError, match=f"content/newsletter/welcome.md: .*{problem}"):
        parse_welcome(text, "it", "content/newsletter/welcome.md")


def test_one_file_per_language(tmp_path: Path) -> None:
    (tmp_path / "welcome.md").write_text("Subject: Ciao\n\nGrazie.\n")
    (tmp_path / "welcome.en.md").write_text("Subject: Hello\n\nThanks.\n")
    (tmp_path / "notes.md").write_text("not a welcome")
    sources = read_sources(tmp_path, "it", "content/newsletter")
    assert [(s.lang, s.subject, s.source) for s in sources] == [
        ("en", "Hello", "content/newsletter/welcome.en.md"),
        ("it", "Ciao", "content/newsletter/welcome.md"),
    ]
    (tmp_path / "welcome.it.md").write_text("Subject: Doppio\n\nDue volte.\n")
    with pytest.raises(WelcomeError, match="same language"):
        read_sources(tmp_path, "it", "content/newsletter")
    assert read_sources(tmp_path / "missing", "it", "x") == []


def test_latest_posts_in_the_readers_language_first() -> None:
    assert [p.title for p in latest_posts(POSTS, "it", 1)] == ["Nuovo"]
    assert [p.title for p in latest_posts(POSTS, "en", 3)] == ["New"]
    assert [p.title for p in latest_posts(POSTS, "de", 2)] == ["Nuovo", "New"]


def test_the_mail_lists_the_posts_and_an_unsubscribe_link() -> None:
    source = parse_welcome("Subject: Ciao\n\nGrazie **davvero**.\n", "it", "welcome.md")
    mail = render_welcome(source, latest_posts(POSTS, "it", 2), "Condividi", LOCALEDIR)
    assert "<strong>davvero</strong>" in mail.html
    assert "Gli ultimi articoli" in mail.html and "Gli ultimi articoli" in mail.text
    assert '<a href="https://blog.example.org/vecchio/">Vecchio</a>' in mail.html
    assert "Nuovo <https://blog.example.org/nuovo/>" in mail.text
    assert "{{unsubscribe_url}}" in mail.html and "{{unsubscribe_url}}" in mail.text


def test_rendered_welcomes_fall_back_to_the_sites_language(tmp_path: Path) -> None:
    italian = WelcomeMail("it", "Ciao", "<p>Ciao</p>", "Ciao")
    english = WelcomeMail("en", "Hello", "<p>Hello</p>", "Hello")
    write_welcomes(tmp_path, [english, italian], "it")
    assert load_welcome(tmp_path, "en") == english
    assert load_welcome(tmp_path, "de") == italian
    write_welcomes(tmp_path, [english], "it")  # welcome.md deleted: no Italian welcome
    assert load_welcome(tmp_path, "it") is None
    assert load_welcome(tmp_path / "none", "it") is None


# Build: the sample site renders its welcome files.


def test_the_build_renders_each_language_with_its_latest_posts(make_site) -> None:
    make_site()
    folder = make_site.project / "var" / "newsletter" / "welcome"
    italian = json.loads((folder / "it.json").read_text(encoding="utf-8"))
    english = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    assert italian["subject"] == "Benvenuta, benvenuto nella newsletter di Condividi"
    assert english["subject"] == "Welcome to the Condividi newsletter"
    newest = "https://blog.example.org/crisi-di-reputazione-sui-social-le-prime-24-ore/"
    assert f'href="{newest}"' in italian["html"]
    assert (
        "https://blog.example.org/en/why-we-left-the-share-button-scripts-behind/"
        in (english["text"])
    )
    assert "appunti-sul-marketing" not in italian["html"]  # a draft is not listed


def test_a_broken_welcome_stops_the_build(make_site) -> None:
    (make_site.project / "content" / "newsletter" / "welcome.md").write_text("Ciao\n")
    with pytest.raises(Exception, match=r"newsletter/welcome.md: the welcome mail needs"):
        make_site()


def test_turning_the_welcome_off_removes_it(make_site) -> None:
    make_site()
    folder = make_site.project / "var" / "newsletter" / "welcome"
    assert (folder / "it.json").is_file()
    make_site(overrides={"NEWSLETTER_WELCOME_ENABLED": False})
    assert not (folder / "it.json").exists() and load_welcome(folder, "it") is None


# The local provider: once per confirmed address.


def welcome_config(tmp_path: Path, **changes: object) -> NewsletterConfig:
    config = make_config(tmp_path, **changes)
    source = parse_welcome("Subject: Benvenuta!\n\nGrazie.\n", "it", "welcome.md")
    english = parse_welcome("Subject: Welcome!\n\nThanks.\n", "en", "welcome.en.md")
    write_welcomes(
        welcome_folder(config.local_db),
        [render_welcome(s, POSTS, "Condividi", LOCALEDIR) for s in (source, english)],
        "it",
    )
    return config


def subjects(messages: list) -> list[str]:  # type: ignore[type-arg]
    return [str(m["Subject"]) for m in messages]


def test_one_welcome_per_address_through_the_smtp_sink(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        config = welcome_config(tmp_path, smtp_host=sink.host, smtp_port=sink.port)
        provider = LocalProvider(config)
        provider.subscribe(Subscription(email="lettrice@example.org", lang="it"))
        confirmation = sink.wait_for(1)[0]
        provider.confirm(token_of(links(confirmation)["confirm"]))
        welcome = sink.wait_for(2)[1]
        assert welcome["To"] == "lettrice@example.org"
        assert welcome["Subject"] == "Benvenuta!"
        assert welcome["Content-Language"] == "it"
        text = body_text(welcome)
        assert "Grazie." in text and "Nuovo <https://blog.example.org/nuovo/>" in text
        unsubscribe = welcome["List-Unsubscribe"].strip("<>")
        assert unsubscribe in text and "{{unsubscribe_url}}" not in text
        assert welcome.get_body(preferencelist=("html",)) is not None

        # The same link again, then leaving and coming back: no second welcome.
        provider.confirm(token_of(links(confirmation)["confirm"]))
        provider.unsubscribe(token_of(unsubscribe))
        provider.subscribe(Subscription(email="Lettrice@example.org", lang="it"))
        again = sink.wait_for(3)[2]
        provider.confirm(token_of(links(again)["confirm"]))
        assert provider.subscriber("lettrice@example.org").status == "confirmed"
        assert subjects(sink.messages).count("Benvenuta!") == 1
        assert len(sink.messages) == 3


def test_the_welcome_is_in_the_readers_language_in_the_outbox(tmp_path: Path) -> None:
    config = welcome_config(tmp_path)
    provider = LocalProvider(config)
    provider.subscribe(Subscription(email="reader@example.org", lang="en"))
    provider.confirm(token_of(links(outbox_messages(config)[0])["confirm"]))
    messages = outbox_messages(config)
    assert subjects(messages)[1:] == ["Welcome!"]
    assert "New <https://blog.example.org/en/new/>" in body_text(messages[1])


def test_a_refused_welcome_is_retried_by_opening_the_link_again(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        config = welcome_config(tmp_path, smtp_host=sink.host, smtp_port=sink.port)
        provider = LocalProvider(config)
        provider.subscribe(Subscription(email="lettrice@example.org", lang="it"))
        confirm = token_of(links(sink.wait_for(1)[0])["confirm"])
        sink.refuse.add("lettrice@example.org")
        provider.confirm(confirm)  # confirmed; the welcome is refused and not recorded
        assert provider.subscriber("lettrice@example.org").status == "confirmed"
        assert len(sink.messages) == 1
        sink.refuse.clear()
        provider.confirm(confirm)
        assert subjects(sink.wait_for(2)) == [subjects(sink.messages)[0], "Benvenuta!"]
        provider.confirm(confirm)
        assert len(sink.messages) == 2


def test_no_welcome_file_means_no_welcome(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    provider = LocalProvider(dataclasses.replace(config))
    provider.subscribe(Subscription(email="reader@example.org"))
    provider.confirm(token_of(links(outbox_messages(config)[0])["confirm"]))
    assert len(outbox_messages(config)) == 1
