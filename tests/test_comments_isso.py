"""Isso's configuration, `make comments`, and a real Isso server answering the site."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from isso.config import IssoParser

from condividi.comments.config import CommentsConfig
from condividi.comments.isso import (
    IssoSite,
    dev_service,
    render_config,
    site_hosts,
    wait_for_port,
    write_config,
)
from condividi.config import ConfigError
from tests.comments_support import IssoServer
from tests.conftest import copy_project, free_port

SITEURL = "https://blog.example.org"


def parse(text: str) -> IssoParser:
    parser = IssoParser()
    parser.read_string(text)
    return parser


def test_hosts_are_the_site_origin_and_the_extra_ones() -> None:
    assert site_hosts(SITEURL + "/blog/", ("https://www.example.org/",)) == (
        SITEURL,
        "https://www.example.org",
    )


def test_a_local_site_is_reachable_by_both_local_names() -> None:
    assert site_hosts("http://127.0.0.1:8000") == ("http://127.0.0.1:8000", "http://localhost:8000")


def test_the_database_lives_in_the_project_like_the_newsletter_files(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    site = IssoSite.from_settings_file(project / "pelicanconf.py")
    assert site.dbpath == project.resolve() / "var" / "comments" / "comments.db"
    # Settings kept apart from the project still point at it: PATH names the content folder.
    settings = tmp_path / "impostazioni" / "pelicanconf.py"
    settings.parent.mkdir()
    text = (project / "pelicanconf.py").read_text(encoding="utf-8")
    settings.write_text(text.replace('PATH = "content"', f"PATH = {str(project / 'content')!r}"))
    assert IssoSite.from_settings_file(settings).dbpath == site.dbpath


def test_rendered_configuration_follows_the_settings(tmp_path: Path) -> None:
    settings = {
        "PATH": str(tmp_path / "content"),
        "SITEURL": SITEURL,
        "COMMENTS_ISSO_URL": SITEURL + "/isso",
        "COMMENTS_MODERATION": True,
        "COMMENTS_ISSO_ADMIN": True,
    }
    site = IssoSite.from_settings(settings)
    parser = parse(render_config(site, admin_password="correct-horse-battery"))
    assert parser.get("general", "dbpath") == str(tmp_path / "var/comments/comments.db")
    assert list(parser.getiter("general", "host")) == [SITEURL]
    assert parser.getboolean("moderation", "enabled") is True
    assert parser.getboolean("guard", "enabled") is True
    assert parser.getboolean("admin", "enabled") is True
    assert parser.get("server", "listen") == "http://127.0.0.1:8080"
    assert parser.get("server", "public-endpoint") == SITEURL + "/isso"


def test_the_admin_password_is_never_a_placeholder_isso_would_take_literally(
    tmp_path: Path,
) -> None:
    site = IssoSite(CommentsConfig(isso_admin=True), SITEURL, tmp_path / "comments.db")
    with pytest.raises(ConfigError, match=r"COMMENTS_ISSO_ADMIN.*password"):
        render_config(site)
    for placeholder in ("${ISSO_ADMIN_PASSWORD}", "$ISSO_ADMIN_PASSWORD", "corto"):
        with pytest.raises(ConfigError, match=r"ISSO_ADMIN_PASSWORD.*choose another"):
            write_config(site, environ={"ISSO_ADMIN_PASSWORD": placeholder})
    written = write_config(site, environ={})
    kept = tmp_path / "admin-password"
    random_password = kept.read_text().strip()
    settings_lines = [line for line in written.read_text().splitlines() if not line.startswith("#")]
    assert len(random_password) >= 24 and not [line for line in settings_lines if "$" in line]
    assert parse(written.read_text()).get("admin", "password") == random_password
    assert stat.S_IMODE(kept.stat().st_mode) == stat.S_IMODE(written.stat().st_mode) == 0o600
    # Kept: writing the configuration again (each `make comments`) keeps the same password.
    write_config(site, environ={})
    assert parse(written.read_text()).get("admin", "password") == random_password
    chosen = "una-password-scelta-da-me"
    write_config(site, environ={"ISSO_ADMIN_PASSWORD": chosen})
    assert parse(written.read_text()).get("admin", "password") == chosen


def test_without_the_admin_no_password_is_written(tmp_path: Path) -> None:
    site = IssoSite(CommentsConfig(), SITEURL, tmp_path / "comments.db")
    written = write_config(site, environ={"ISSO_ADMIN_PASSWORD": "una-password-scelta-da-me"})
    assert parse(written.read_text()).get("admin", "password") == ""
    assert not (tmp_path / "admin-password").exists()


def test_no_siteurl_no_cors_list(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SITEURL"):
        render_config(IssoSite(CommentsConfig(), "", tmp_path / "comments.db"))


def test_make_serve_runs_a_local_isso_only(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    service = dev_service(project)
    assert service is not None
    assert service.command[-4:] == [
        "comments",
        "run",
        "--settings",
        str(project / "pelicanconf.py"),
    ]
    assert service.url == "http://127.0.0.1:8080/"
    with (project / "pelicanconf.py").open("a") as settings:
        settings.write('\nCOMMENTS_ISSO_URL = "https://comments.example.org"\n')
    assert dev_service(project) is None


@pytest.fixture
def isso(tmp_path: Path):  # type: ignore[no-untyped-def]
    with IssoServer(tmp_path, ("http://127.0.0.1:8000",)) as server:
        yield server


@pytest.mark.isso
def test_isso_takes_a_comment_and_counts_it(isso: IssoServer) -> None:
    new = isso.request("POST", "/new?uri=/la-newsletter/", {"text": "Bel saggio!", "title": "T"})
    assert new["mode"] == 1
    assert isso.counts("/la-newsletter/", "/altro/") == [1, 0]


@pytest.mark.isso
def test_isso_allows_the_site_origin_only(isso: IssoServer) -> None:
    def allowed(origin: str) -> str | None:
        request = urllib.request.Request(isso.url + "/count", b"[]", method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Origin", origin)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("Access-Control-Allow-Origin")

    assert allowed("http://localhost:8000") == "http://localhost:8000"
    assert allowed("https://evil.example") != "https://evil.example"


@pytest.mark.isso
def test_moderation_holds_new_comments(tmp_path: Path) -> None:
    with IssoServer(tmp_path, ("http://127.0.0.1:8000",), moderation=True) as isso:
        new = isso.request("POST", "/new?uri=/la-newsletter/", {"text": "In attesa", "title": "T"})
        assert new["mode"] == 2
        assert isso.counts("/la-newsletter/") == [0]


@pytest.mark.isso
def test_make_comments_runs_isso_with_the_project_settings(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    port = free_port()
    with (project / "pelicanconf.py").open("a") as settings:
        settings.write(
            f'\nCOMMENTS_ISSO_LISTEN = "http://127.0.0.1:{port}"\n'
            f'COMMENTS_ISSO_URL = "http://127.0.0.1:{port}"\n'
        )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "condividi", "comments", "run"],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/count", b'["/x/"]', {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read() == b"[0]"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (project / "var" / "comments" / "comments.db").is_file()
    config = parse((project / "var" / "comments" / "isso.cfg").read_text())
    assert list(config.getiter("general", "host")) == [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    ]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.isso
def test_make_serve_starts_isso_and_stops_it_on_exit(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    site_port, isso_port, signup_port = free_port(), free_port(), free_port()
    with (project / "pelicanconf.py").open("a") as settings:
        settings.write(
            f'\nCOMMENTS_ISSO_LISTEN = "http://127.0.0.1:{isso_port}"\n'
            f'COMMENTS_ISSO_URL = "http://127.0.0.1:{isso_port}"\n'
            # Its own signup port: anything else on the default one would end the serve early.
            f'NEWSLETTER_SIGNUP_URL = "http://127.0.0.1:{signup_port}/subscribe"\n'
        )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "condividi", "serve", "--port", str(site_port)],
            cwd=project,
            env={**os.environ, "PORT": str(site_port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(isso_port, serve, log)
        wait_for_port(site_port, serve, log, timeout=90)
        assert "started comments (Isso)" in log.read_text()
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)
    assert not port_is_open(isso_port), log.read_text()
    assert not port_is_open(site_port), log.read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def login(isso_url: str, password: str) -> tuple[int, str]:
    """POST Isso's admin login form; return the status and the Set-Cookie header."""
    data = urllib.parse.urlencode({"password": password}).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(isso_url + "/login/", data, timeout=10) as response:
            return int(response.status), response.headers.get("Set-Cookie") or ""
    except urllib.error.HTTPError as error:
        return int(error.code), error.headers.get("Set-Cookie") or ""


@pytest.mark.isso
def test_the_documented_production_steps_never_start_the_admin_with_a_placeholder(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path)
    port = free_port()
    with (project / "pelicanconf.py").open("a") as settings:
        settings.write(
            f'\nCOMMENTS_ISSO_ADMIN = True\nCOMMENTS_ISSO_LISTEN = "http://127.0.0.1:{port}"\n'
        )
    environ = {k: v for k, v in os.environ.items() if k != "ISSO_ADMIN_PASSWORD"}
    environ["SITEURL"] = "https://blog.example.org"
    # Step 1 (docs/deploying.md): comments config, without ISSO_ADMIN_PASSWORD anywhere.
    written = subprocess.run(
        [sys.executable, "-m", "condividi", "comments", "config", "--settings", "publishconf.py"],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    kept = project / "var" / "comments" / "admin-password"
    password = kept.read_text().strip()
    assert f"a random one, made now and kept in {kept}" in written.stdout
    assert password not in written.stdout + written.stderr
    # Step 2: Isso started on its own, as a service manager would, still without the variable.
    config = project / "var" / "comments" / "isso.cfg"
    log = tmp_path / "isso.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("isso")), "-c", str(config), "run"],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        url = f"http://127.0.0.1:{port}"
        for guess in ("${ISSO_ADMIN_PASSWORD}", "please_choose_a_strong_password", ""):
            status, cookie = login(url, guess)
            assert status == 200 and "admin-session" not in cookie, guess
        status, cookie = login(url, password)
        assert status == 302 and "admin-session=" in cookie
    finally:
        process.terminate()
        process.wait(timeout=10)
    # Writing the configuration again keeps the same password (no lock-out on each restart).
    subprocess.run(
        [sys.executable, "-m", "condividi", "comments", "config", "--settings", "publishconf.py"],
        cwd=project,
        env=environ,
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert parse(config.read_text()).get("admin", "password") == password
