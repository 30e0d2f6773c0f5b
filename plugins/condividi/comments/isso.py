"""The Isso comment server: its configuration, ``make comments`` and ``make serve``, and a
throw-away local Isso behind a same-origin ``/isso/`` proxy (the tests, the benchmark).

The configuration is rendered from ``isso-template.cfg`` with the ``COMMENTS_*`` settings of a
Pelican settings file and the project's SMTP setup (:mod:`condividi.mail`, for the comment
mail), next to the database in the git-ignored ``var/comments/``, readable by its owner only
(it holds the admin's password: :mod:`condividi.comments.isso_admin`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any, NoReturn, Self
from urllib.parse import urlsplit

from condividi.build import load_settings
from condividi.comments import isso_admin, isso_mail
from condividi.comments.config import (
    CommentsConfig,
    comments_config,
    is_loopback,
    origin_of,
    sink_address,
)
from condividi.config import ConfigError, project_path
from condividi.mail import SmtpSettings, smtp_settings
from condividi.services import Service

TEMPLATE = Path(__file__).with_name("isso-template.cfg")
CONFIG_NAME = "isso.cfg"


@dataclass(frozen=True)
class IssoSite:
    """A site's Isso setup: its comments settings, SITEURL, the database file, the SMTP setup."""

    config: CommentsConfig
    siteurl: str
    dbpath: Path
    smtp: SmtpSettings = field(default_factory=SmtpSettings)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> IssoSite:
        """Return the Isso setup of Pelican ``settings``.

        The database (``COMMENTS_ISSO_DB``) is found like the newsletter's files, from the
        project folder (:func:`~condividi.config.project_path`).
        """
        config = comments_config(settings)
        siteurl = str(settings.get("SITEURL") or "")
        dbpath = project_path(settings, config.isso_db)
        return cls(config, siteurl, dbpath, smtp_settings(settings))

    @classmethod
    def from_settings_file(cls, settings_file: Path) -> IssoSite:
        """Read the Isso setup of a Pelican settings file (see :meth:`from_settings`)."""
        return cls.from_settings(load_settings(settings_file.resolve()))

    @property
    def config_path(self) -> Path:
        """Where the rendered configuration is written: next to the database."""
        return self.dbpath.parent / CONFIG_NAME


def site_hosts(siteurl: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Return the origins Isso must allow (its CORS ``host`` list) for a site.

    Takes ``SITEURL`` and the extra origins of ``COMMENTS_ISSO_HOSTS``; a local SITEURL also
    gets its ``localhost``/``127.0.0.1`` twin, since either may be typed in a browser.
    """
    hosts: list[str] = []
    if siteurl.startswith(("http://", "https://")):
        origin = origin_of(siteurl)
        hosts.append(origin)
        parts = urlsplit(origin)
        twins = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
        if parts.hostname in twins:
            port = f":{parts.port}" if parts.port else ""
            hosts.append(f"{parts.scheme}://{twins[parts.hostname]}{port}")
    hosts.extend(host.rstrip("/") for host in extra)
    return tuple(dict.fromkeys(hosts))


def render_config(
    site: IssoSite,
    *,
    listen: str | None = None,
    guard: bool | None = None,
    admin_password: str = "",
    mail_sink: isso_mail.SinkAddress | None = None,
) -> str:
    """Return the text of Isso's configuration for ``site``.

    ``listen`` and ``guard`` override the settings (the tests run Isso on a free port with the
    spam guard off); ``admin_password`` is the web admin's (required with
    ``COMMENTS_ISSO_ADMIN``); ``mail_sink`` is ``make serve``'s local SMTP sink, used when no
    SMTP server is set. Raises :class:`ConfigError` when the site has no origin for Isso's
    CORS list, the admin no password, or the comment mail no server.
    """
    config = site.config
    if config.isso_admin:
        if not admin_password:
            raise ConfigError(
                "COMMENTS_ISSO_ADMIN = True: Isso's configuration needs the admin's password "
                "(write_config() finds it)"
            )
        isso_admin.check_password(admin_password, "the configuration being written")
    hosts = site_hosts(site.siteurl, config.isso_hosts)
    if not hosts:
        raise ConfigError(
            f"Isso needs the site's origin for CORS, but SITEURL = {site.siteurl!r} is not an "
            "absolute URL: set SITEURL or COMMENTS_ISSO_HOSTS"
        )
    values: dict[str, Any] = {
        "dbpath": site.dbpath,
        "hosts": "\n".join(f"    {host}" for host in hosts),
        "admin": _flag(config.isso_admin),
        "admin_password": admin_password if config.isso_admin else "",
        "moderation": _flag(config.moderation),
        "listen": listen or config.isso_listen,
        "public_endpoint": config.isso_url,
        "guard": _flag(config.isso_guard if guard is None else guard),
        **isso_mail.smtp_values(config, site.smtp, mail_sink),
    }
    for name, value in values.items():
        # A line break would end the value and start a setting of its own (the host list is
        # one origin a line by design; each origin was checked).
        if name != "hosts" and ("\n" in str(value) or "\r" in str(value)):
            raise ConfigError(f"Isso's {name.replace('_', ' ')} {str(value)!r} has a line break")
    return TEMPLATE.read_text(encoding="utf-8").format_map(values)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def write_config(
    site: IssoSite,
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Path:
    """Render Isso's configuration for ``site`` into ``path`` (default: next to the database).

    The file is readable by its owner only; the database's folder is created. Takes
    :func:`render_config`'s overrides; with ``COMMENTS_ISSO_ADMIN`` and no ``admin_password``
    among them, the admin's password is :func:`~condividi.comments.isso_admin.admin_password`'s
    (from ``environ``, default this process's). Returns the path written.
    """
    path = path or site.config_path
    if site.config.isso_admin and not overrides.get("admin_password"):
        environ = os.environ if environ is None else environ
        overrides["admin_password"] = admin_password(site, environ).value
    text = render_config(site, **overrides)
    site.dbpath.parent.mkdir(parents=True, exist_ok=True)
    isso_admin.write_private(path, text)
    return path


def admin_password(site: IssoSite, environ: Mapping[str, str]) -> isso_admin.AdminPassword:
    """Return the admin password of ``site``'s Isso and where it comes from (see
    :mod:`condividi.comments.isso_admin`): ``ISSO_ADMIN_PASSWORD``, else a random one kept
    next to the database."""
    return isso_admin.admin_password(site.dbpath.parent, environ)


def isso_executable() -> str:
    """Return the ``isso`` command installed with this Python (the project's pinned one)."""
    beside = Path(sys.executable).with_name("isso")
    if beside.is_file():
        return str(beside)
    found = shutil.which("isso")
    if found is None:
        raise FileNotFoundError("the isso command is not installed: run `make setup`")
    return found


def isso_command(config_path: Path, *arguments: str) -> list[str]:
    """Return the command line running ``isso -c <config_path> <arguments>``."""
    return [isso_executable(), "-c", str(config_path), *arguments]


def check_can_run(
    site: IssoSite, environ: Mapping[str, str], mail_sink: isso_mail.SinkAddress | None = None
) -> None:
    """Refuse to start Isso with ``environ`` when its comment mail has no SMTP server (nor
    ``make serve``'s ``mail_sink``), or a login whose password ``environ`` lacks.

    (The admin's password needs nothing from the environment: see :func:`write_config`.)
    """
    isso_mail.check_mail_server(site.config, site.smtp, mail_sink)
    isso_mail.check_password_is_set(site.config, site.smtp, environ)


def run(settings_file: Path, mail_sink: str | None = None) -> NoReturn:
    """Write the configuration and replace this process by the Isso server (``make comments``).

    ``mail_sink`` is ``make serve``'s local SMTP sink (``"127.0.0.1:8025"``), which takes the
    comment mail when no SMTP server is set. Never returns: ``exec`` sends Ctrl-C and
    ``make serve``'s stop signal straight to Isso.
    """
    site = IssoSite.from_settings_file(settings_file)
    sink = sink_address(mail_sink) if mail_sink else None
    check_can_run(site, os.environ, sink)
    overrides: dict[str, Any] = {"mail_sink": sink}
    if site.config.isso_admin:
        password = admin_password(site, os.environ)
        overrides["admin_password"] = password.value
        print(f"condividi: Isso's admin password is {password.source}", flush=True)
    config_path = write_config(site, **overrides)
    print(
        f"condividi: Isso on {site.config.isso_listen}, database {site.dbpath}, "
        f"configuration {config_path}",
        flush=True,
    )
    command = isso_command(config_path, "run")
    os.execv(command[0], command)


def dev_service(project: Path) -> Service | None:
    """Return the local Isso server for ``make serve``, when the site uses a local Isso."""
    settings_file = project / "pelicanconf.py"
    site = IssoSite.from_settings_file(settings_file)
    if site.config.provider != "isso" or not is_loopback(site.config.isso_url):
        return None
    command = [
        sys.executable,
        "-m",
        "condividi",
        "comments",
        "run",
        "--settings",
        str(settings_file),
    ]
    if isso_mail.needs_dev_sink(site.config, site.smtp):
        # The comment mail goes to the local sink isso_mail.sink_service() runs.
        command += ["--mail-sink", site.config.notify_sink]
    return Service(name="comments (Isso)", command=command, url=site.config.isso_url + "/")


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``.

    Raises ``RuntimeError`` with the ``log`` of ``process`` if it exits first or the port stays
    closed for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}:\n{log.read_text()}")


class LocalIsso:
    """A real Isso on 127.0.0.1:``port``, its database in ``folder``, the spam guard off.

    ``site_origins`` are the origins Isso accepts (CORS), the first being the site's. Use it as
    a context manager: Isso runs inside the ``with`` block, ``url`` is where it answers.
    """

    def __init__(
        self, folder: Path, site_origins: tuple[str, ...], port: int, moderation: bool = False
    ) -> None:
        self.folder = folder
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.db = folder / "comments.db"
        self.log = folder / "isso.log"
        config = CommentsConfig(isso_url=self.url, isso_hosts=site_origins, moderation=moderation)
        site = IssoSite(config=config, siteurl=site_origins[0], dbpath=self.db)
        self.config_path = write_config(site, folder / CONFIG_NAME, listen=self.url, guard=False)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                isso_command(self.config_path, "run"), stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for_port(self.port, self.process, self.log)
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class IssoProxyHandler(SimpleHTTPRequestHandler):
    """Serves a folder and passes ``/isso/...`` to the Isso at ``isso_url``, as docs/deploying.md's
    nginx sample does in production (set ``isso_url`` on a subclass)."""

    isso_url = ""
    forwarded = ("content-type", "origin", "referer", "cookie")
    hop_by_hop = ("connection", "content-length", "date", "server", "transfer-encoding")

    def proxy(self) -> None:
        """Forward this request to Isso and send its answer back, errors included."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() in self.forwarded}
        headers["X-Script-Name"] = "/isso"
        request = urllib.request.Request(self.isso_url + self.path, body, headers)
        request.method = self.command
        try:
            response = urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            data = response.read()
            self.send_response(response.status)
            for name, value in response.headers.items():
                if name.lower() not in self.hop_by_hop:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.startswith("/isso/"):
            self.proxy()
        else:
            super().do_GET()

    do_POST = do_PUT = do_DELETE = proxy
