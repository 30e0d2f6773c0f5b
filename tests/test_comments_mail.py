"""The comment mail (COMMENTS_NOTIFY): one SMTP setup with the newsletter, Isso's [smtp]
section, make serve's local sink, and a real Isso mailing its activate and delete links."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from isso.config import IssoParser

from condividi.build import build_site, load_settings
from condividi.comments.config import CommentsConfig, comments_config
from condividi.comments.isso import IssoSite, check_can_run, dev_service, render_config
from condividi.comments.isso_mail import sink_service, smtp_values
from condividi.config import ConfigError
from condividi.mail import SmtpSettings, smtp_settings
from condividi.newsletter.config import newsletter_config
from tests.comments_support import (
    ARTICLE,
    IssoClient,
    LoginSmtpSink,
    moderation_links,
    post_form,
)
from tests.conftest import ROOT, copy_project, free_port, wait_for
from tests.newsletter_support import body_text, outbox_messages

SITEURL = "https://blog.example.org"
SMTP = {
    "NEWSLETTER_SMTP_HOST": "smtp.example.org",
    "NEWSLETTER_SMTP_PORT": 587,
    "NEWSLETTER_SMTP_STARTTLS": True,
    "NEWSLETTER_SMTP_USERNAME": "giulia",
    "NEWSLETTER_FROM_NAME": "Lettere di Giulia",
    "NEWSLETTER_FROM_EMAIL": "lettere@example.org",
}
PASSWORD = "pw-in-env-only-7f3a"


def parse(text: str) -> IssoParser:
    parser = IssoParser()
    parser.read_string(text)
    return parser


def test_the_newsletter_and_isso_read_one_smtp_setup() -> None:
    environ = {"NEWSLETTER_SMTP_PASSWORD": PASSWORD}
    smtp = smtp_settings(SMTP, environ)
    newsletter = newsletter_config(SMTP, environ)
    assert (smtp.host, smtp.port, smtp.starttls, smtp.username, smtp.password) == (
        newsletter.smtp_host,
        newsletter.smtp_port,
        newsletter.smtp_starttls,
        newsletter.smtp_username,
        newsletter.smtp_password,
    )
    assert smtp.sender == "Lettere di Giulia <lettere@example.org>"
    assert PASSWORD not in repr(smtp) and PASSWORD not in repr(newsletter)
    with pytest.raises(ConfigError, match="NEWSLETTER_SMTP_PASSWORD must not be in a settings"):
        smtp_settings({"NEWSLETTER_SMTP_PASSWORD": PASSWORD}, {})


def test_isso_mails_through_that_setup_and_reads_the_password_from_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"PATH": str(tmp_path / "content"), "SITEURL": SITEURL, **SMTP}
    settings |= {"COMMENTS_NOTIFY": True, "COMMENTS_NOTIFY_TO": "giulia@example.org"}
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    site = IssoSite.from_settings(settings)
    text = render_config(site)
    assert PASSWORD not in text
    monkeypatch.delenv("NEWSLETTER_SMTP_PASSWORD")
    config = parse(text)
    assert config.getlist("general", "notify") == ["stdout", "smtp"]
    assert config.getboolean("general", "reply-notifications") is False
    smtp = config.section("smtp")
    assert (smtp.get("host"), smtp.getint("port"), smtp.get("security")) == (
        "smtp.example.org",
        587,
        "starttls",
    )
    assert (smtp.get("username"), smtp.get("to")) == ("giulia", "giulia@example.org")
    assert smtp.get("from") == "Lettere di Giulia <lettere@example.org>"
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    assert smtp.get("password") == PASSWORD  # what Isso reads as it starts


def test_without_a_login_no_password_and_the_author_is_the_sender() -> None:
    values = smtp_values(
        CommentsConfig(notify=True), SmtpSettings(host="mail.local", from_email="io@example.org")
    )
    assert (values["smtp_password"], values["smtp_username"], values["smtp_to"]) == (
        "",
        "",
        "io@example.org",
    )


def test_comment_mail_without_an_smtp_server_is_refused_outside_make_serve(
    tmp_path: Path,
) -> None:
    site = IssoSite(CommentsConfig(notify=True), SITEURL, tmp_path / "c.db")
    with pytest.raises(ConfigError, match="COMMENTS_NOTIFY = True needs an SMTP server"):
        check_can_run(site, {})
    check_can_run(site, {}, ("127.0.0.1", 8025))
    # An import (`comments import`) writes the configuration and sends nothing: no refusal.
    assert parse(render_config(site)).getlist("general", "notify") == ["stdout", "smtp"]
    # `comments config`, the production step, refuses it too.
    project = _project(tmp_path / "site", "COMMENTS_NOTIFY = True\n")
    result = subprocess.run(
        [sys.executable, "-m", "condividi", "comments", "config", "--settings", "publishconf.py"],
        cwd=project,
        env={**os.environ, "SITEURL": SITEURL},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "needs an SMTP server for Isso's mail: set NEWSLETTER_SMTP_HOST" in result.stderr
    assert not (project / "var" / "comments" / "isso.cfg").exists()
    sink = smtp_values(CommentsConfig(notify=True), SmtpSettings(), ("127.0.0.1", 8025))
    assert (sink["smtp_host"], sink["smtp_port"], sink["smtp_security"]) == (
        "127.0.0.1",
        "8025",
        "none",
    )
    # The mail off: Isso only logs, and needs no server.
    assert smtp_values(CommentsConfig(), SmtpSettings())["notify"] == "stdout"


def test_isso_refuses_to_start_a_login_without_its_password() -> None:
    site = IssoSite(CommentsConfig(notify=True), SITEURL, Path("c.db"), smtp_settings(SMTP, {}))
    with pytest.raises(ConfigError, match="NEWSLETTER_SMTP_PASSWORD is not in the environment"):
        check_can_run(site, {})
    check_can_run(site, {"NEWSLETTER_SMTP_PASSWORD": PASSWORD})
    check_can_run(dataclasses.replace(site, config=CommentsConfig()), {})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"COMMENTS_NOTIFY_TO": "giulia"}, "COMMENTS_NOTIFY_TO = 'giulia' is not an email"),
        ({"COMMENTS_NOTIFY_SINK": "smtp.example.org:25"}, "COMMENTS_NOTIFY_SINK"),
        ({"COMMENTS_NOTIFY_SINK": "127.0.0.1"}, "COMMENTS_NOTIFY_SINK"),
        ({"COMMENTS_NOTIFY": "yes"}, "COMMENTS_NOTIFY = 'yes'"),
        (
            {"COMMENTS_NOTIFY": True, "COMMENTS_REPLY_NOTIFICATIONS": True},
            "COMMENTS_REPLY_NOTIFICATIONS = True needs .*COMMENTS_MODERATION",
        ),
    ],
)
def test_bad_comment_mail_settings_are_named(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        comments_config({"SITEURL": SITEURL, **settings})


def test_reply_notifications_stay_off_unless_configured() -> None:
    assert CommentsConfig().reply_notifications is False
    config = comments_config(
        {
            "SITEURL": SITEURL,
            "COMMENTS_NOTIFY": True,
            "COMMENTS_MODERATION": True,
            "COMMENTS_REPLY_NOTIFICATIONS": True,
        }
    )
    assert smtp_values(config, SmtpSettings(host="x"))["reply_notifications"] == "true"


def _project(folder: Path, settings: str) -> Path:
    """Copy the sample project into ``folder`` with ``settings`` added to its pelicanconf.py."""
    folder.mkdir(parents=True, exist_ok=True)
    project = copy_project(folder)
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as out:
        out.write("\n" + settings)
    return project


def test_the_sample_has_the_mail_off_and_make_serve_runs_no_sink(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert load_settings(project / "pelicanconf.py")["COMMENTS_NOTIFY"] is False
    assert sink_service(project) is None
    service = dev_service(project)
    assert service is not None and "--mail-sink" not in service.command


def test_make_serve_runs_a_sink_only_when_the_mail_has_no_server(tmp_path: Path) -> None:
    project = _project(tmp_path, "COMMENTS_NOTIFY = True\n")
    sink = sink_service(project)
    assert sink is not None
    assert sink.command[-4:] == [
        "--listen",
        "127.0.0.1:8025",
        "--folder",
        str(project.resolve() / "var" / "newsletter" / "outbox"),
    ]
    isso = dev_service(project)
    assert isso is not None and isso.command[-2:] == ["--mail-sink", "127.0.0.1:8025"]
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as out:
        out.write('NEWSLETTER_SMTP_HOST = "smtp.example.org"\n')
    assert sink_service(project) is None
    isso = dev_service(project)
    assert isso is not None and "--mail-sink" not in isso.command


@pytest.mark.parametrize(
    ("pelicanconf", "moderation"),
    [
        ("", False),
        ("COMMENTS_NOTIFY = True\n", True),
        ("COMMENTS_NOTIFY = True\nCOMMENTS_MODERATION = False\n", False),
    ],
)
def test_production_holds_comments_when_the_comment_mail_is_on(
    tmp_path: Path, pelicanconf: str, moderation: bool
) -> None:
    project = _project(tmp_path, pelicanconf)
    settings = load_settings(project / "publishconf.py")
    assert settings["COMMENTS_MODERATION"] is moderation


def _mail_with_links(messages: list[EmailMessage], text: str) -> dict[str, str]:
    for message in messages:
        if text in body_text(message):
            return moderation_links(message)
    raise AssertionError(f"no comment mail mentions {text!r}")


@pytest.mark.isso
def test_make_serve_mails_each_comment_with_working_activate_and_delete_links(
    tmp_path: Path,
) -> None:
    site_port, isso_port, sink_port, signup_port = (free_port() for _ in range(4))
    project = _project(
        tmp_path,
        "COMMENTS_NOTIFY = True\n"
        "COMMENTS_MODERATION = True\n"
        'COMMENTS_NOTIFY_TO = "giulia@example.org"\n'
        "COMMENTS_ISSO_GUARD = False\n"
        f'COMMENTS_ISSO_LISTEN = "http://127.0.0.1:{isso_port}"\n'
        f'COMMENTS_ISSO_URL = "http://127.0.0.1:{isso_port}"\n'
        f'COMMENTS_NOTIFY_SINK = "127.0.0.1:{sink_port}"\n'
        f'NEWSLETTER_SIGNUP_URL = "http://127.0.0.1:{signup_port}/subscribe"\n',
    )
    outbox = project / "var" / "newsletter" / "outbox"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "condividi", "serve", "--port", str(site_port)],
            cwd=project,
            env={**os.environ, "PORT": str(site_port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    isso = IssoClient(f"http://127.0.0.1:{isso_port}")
    try:
        assert wait_for(lambda: "local SMTP sink on" in log.read_text(), 60), log.read_text()
        assert wait_for(isso.answers, 60), log.read_text()
        thread = f"/{ARTICLE}/"
        origin = f"http://127.0.0.1:{site_port}"
        held = isso.new(thread, "Grazie del saggio, lo giro al mio team.", "Marco", origin)
        spam = isso.new(thread, "Compra follower a poco prezzo!", "Spam", origin)
        assert held["mode"] == spam["mode"] == 2  # moderated: nobody sees them yet
        assert isso.counts(thread) == [0]

        def both_mailed() -> bool:
            return len(outbox_messages_in(outbox)) >= 2

        assert wait_for(both_mailed, 30), log.read_text()
        messages = outbox_messages_in(outbox)
        first = next(m for m in messages if "Marco" in body_text(m))
        assert first["To"] == "giulia@example.org"
        assert first["From"] == "Condividi <newsletter@example.org>"
        assert "New comment posted" in first["Subject"]

        activate = _mail_with_links(messages, "Grazie del saggio")
        assert post_form(activate["activate"]) == (200, "Comment has been activated")
        assert isso.counts(thread) == [1]
        assert [c["id"] for c in isso.thread(thread)["replies"]] == [held["id"]]

        delete = _mail_with_links(messages, "Compra follower")
        assert post_form(delete["delete"])[0] == 200
        assert isso.comment_status(spam["id"]) == 404
        assert isso.counts(thread) == [1]
        # A link whose signature was tampered with does nothing.
        assert post_form(activate["delete"][:-4] + "AAAA")[0] == 403
        assert isso.counts(thread) == [1]
        assert re.search(
            rf"started comments \(Isso\) on http://127.0.0.1:{isso_port}/", log.read_text()
        )
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)


def outbox_messages_in(folder: Path) -> list[EmailMessage]:
    """Return the messages filed in the outbox ``folder``, oldest first."""
    return outbox_messages(dataclasses.replace(newsletter_config({}, {}), outbox=str(folder)))


def _files_holding(folder: Path, secret: str) -> list[str]:
    """Return the files under ``folder`` whose bytes contain ``secret``."""
    needle = secret.encode()
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.isso
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_smtp_password_reaches_the_server_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isso_port = free_port()
    with LoginSmtpSink("giulia", PASSWORD) as sink:
        project = _project(
            tmp_path / "site",
            "COMMENTS_NOTIFY = True\n"
            "COMMENTS_ISSO_GUARD = False\n"
            f'COMMENTS_ISSO_LISTEN = "http://127.0.0.1:{isso_port}"\n'
            f'COMMENTS_ISSO_URL = "http://127.0.0.1:{isso_port}"\n'
            f'NEWSLETTER_SMTP_HOST = "127.0.0.1"\nNEWSLETTER_SMTP_PORT = {sink.port}\n'
            'NEWSLETTER_SMTP_USERNAME = "giulia"\n',
        )
        log = tmp_path / "comments.log"
        environ = {**os.environ, "NEWSLETTER_SMTP_PASSWORD": PASSWORD}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "condividi", "comments", "run"],
                cwd=project,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        isso = IssoClient(f"http://127.0.0.1:{isso_port}")
        try:
            assert wait_for(isso.answers, 30), log.read_text()
            isso.new(f"/{ARTICLE}/", "Un commento da notificare.", "Marco")
            mail = sink.wait_for(1)[0]
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert "Un commento da notificare." in body_text(mail)
    assert ("giulia", PASSWORD) in sink.logins
    # Nowhere else: not Isso's configuration, not its log, not the site built with it.
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    output = build_site(
        project / "pelicanconf.py",
        project / "output",
        {"PATH": str(project / "content"), "CACHE_PATH": str(tmp_path / "cache")},
    )
    assert (project / "var" / "comments" / "isso.cfg").is_file()
    assert (output / ARTICLE / "index.html").is_file()
    for folder in (project / "var", output, tmp_path / "cache"):
        assert _files_holding(folder, PASSWORD) == []
    assert PASSWORD not in log.read_text()
    # And var/, with isso.cfg, stays out of git.
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", "var/comments/isso.cfg"], check=False
    )
    assert ignored.returncode == 0


def test_isso_does_not_start_a_mail_login_without_the_password(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        'COMMENTS_NOTIFY = True\nNEWSLETTER_SMTP_HOST = "127.0.0.1"\n'
        'NEWSLETTER_SMTP_USERNAME = "giulia"\n',
    )
    environ = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_SMTP_PASSWORD"}
    result = subprocess.run(
        [sys.executable, "-m", "condividi", "comments", "run"],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "NEWSLETTER_SMTP_PASSWORD is not in the environment" in result.stderr
    assert not (project / "var" / "comments" / "isso.cfg").exists()
