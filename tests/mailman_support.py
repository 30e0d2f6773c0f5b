"""A real Mailman 3 Core for the tests, with an SMTP sink for everything it sends.

``mailman_core`` (session fixture) makes sure ``.venv-mailman`` exists (the same recipe as
``make .venv-mailman``), starts Mailman on free ports in a temporary var_dir with its outgoing
SMTP pointed at an in-process aiosmtpd sink, creates a domain and a list, and stops Mailman at
the end. A setup failure fails loudly, with the tail of Mailman's own log.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import urllib3
from aiosmtpd.controller import Controller

from condividi.newsletter.config import NewsletterConfig
from tests.conftest import ROOT, free_port, process_alive

MAILMAN_VENV = ROOT / ".venv-mailman"
MAILMAN_READY = MAILMAN_VENV / ".ready"
# SQLAlchemy 2.1 breaks Mailman 3.3's roster and member-find endpoints (tooling.md).
MAILMAN_PACKAGES = ("mailman==3.3.10", "sqlalchemy<2.1")
REST_USER = "restadmin"
REST_PASS = "mailman-rest-test-password"
STARTUP_TIMEOUT = 300.0
# Runners a post and a subscription never reach (archives, bounces, digests, e-mail commands,
# retries, periodic tasks): each is a Python process, so leaving them off halves start-up on a
# busy machine. in, pipeline, out, virgin, lmtp and rest still run: the real path of a post.
RUNNERS_OFF = "".join(
    f"\n[runner.{name}]\nstart: no\n"
    for name in ("archive", "bounces", "command", "digest", "retry", "task", "nntp")
)


def ensure_mailman_venv() -> Path:
    """Create ``.venv-mailman`` with Mailman Core if it is missing; return its ``mailman``."""
    binary = MAILMAN_VENV / "bin" / "mailman"
    if MAILMAN_READY.exists() and binary.exists():
        return binary
    MAILMAN_VENV.mkdir(exist_ok=True)
    log = MAILMAN_VENV / "install.log"
    with log.open("w") as out:
        for command in (
            [sys.executable, "-m", "venv", str(MAILMAN_VENV)],
            [str(MAILMAN_VENV / "bin" / "pip"), "install", "--quiet", *MAILMAN_PACKAGES],
        ):
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
            if done.returncode != 0:
                raise RuntimeError(
                    f"could not install Mailman ({' '.join(command)}): see {log}\n"
                    + log.read_text()[-2000:]
                )
    MAILMAN_READY.touch()
    return binary


@dataclass
class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it receives."""

    port: int = 0
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self._changed = threading.Condition()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self._changed.notify_all()
        return "250 OK"

    def start(self) -> SmtpSink:
        """Start listening; return self."""
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self.controller.stop()

    def matching(
        self, predicate: Callable[[list[str], EmailMessage], bool]
    ) -> list[tuple[list[str], EmailMessage]]:
        """Return the received (recipients, message) pairs that satisfy ``predicate``."""
        with self._changed:
            return [m for m in self.messages if predicate(*m)]

    def wait_for(
        self,
        predicate: Callable[[list[str], EmailMessage], bool],
        recipients: Iterable[str] = (),
        timeout: float = 120.0,
    ) -> list[tuple[list[str], EmailMessage]]:
        """Wait for messages satisfying ``predicate`` that reached every address of
        ``recipients`` (at least one message when empty); return them.

        Raises AssertionError listing what did arrive when they do not within ``timeout``.
        """
        wanted = set(recipients)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.messages if predicate(*m)]
                reached = {address for to, _ in found for address in to}
                if found and wanted <= reached:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(to, str(m["Subject"])) for to, m in self.messages]
                    raise AssertionError(
                        f"no message for {sorted(wanted) or 'anyone'} within {timeout} s; "
                        f"received {seen}"
                    )
                self._changed.wait(left)


class MailmanCore:
    """One Mailman Core process tree in its own var_dir, driven over REST."""

    def __init__(self, base: Path, smtp_port: int) -> None:
        self.base = base
        self.rest_port = free_port()
        self.lmtp_port = free_port()
        self.smtp_port = smtp_port
        self.var_dir = base / "var"
        self.cfg = base / "mailman.cfg"
        self.log = base / "mailman-start.log"
        self.rest_url = f"http://127.0.0.1:{self.rest_port}"
        self.startup_seconds: float | None = None
        token = base64.b64encode(f"{REST_USER}:{REST_PASS}".encode()).decode()
        # Connection: close, so no idle keep-alive delays Mailman's REST workers at stop.
        self._headers = {"Authorization": f"Basic {token}", "Connection": "close"}
        self._http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=30), retries=False)

    def write_config(self) -> None:
        # Gunicorn's default 30 s of grace would hold every stop for half a minute.
        (self.base / "gunicorn.cfg").write_text("[gunicorn]\ngraceful_timeout = 3\n")
        self.cfg.write_text(
            f"""[mailman]
layout: here
site_owner: postmaster@example.org

[paths.here]
var_dir: {self.var_dir}

[webservice]
hostname: 127.0.0.1
port: {self.rest_port}
admin_user: {REST_USER}
admin_pass: {REST_PASS}
workers: 1
configuration: {self.base / "gunicorn.cfg"}

[mta]
incoming: mailman.mta.null.NullMTA
outgoing: mailman.mta.deliver.deliver
lmtp_host: 127.0.0.1
lmtp_port: {self.lmtp_port}
smtp_host: 127.0.0.1
smtp_port: {self.smtp_port}
{RUNNERS_OFF}"""
        )

    def command(self, *args: str) -> list[str]:
        root = ["--run-as-root"] if os.geteuid() == 0 else []
        return [str(MAILMAN_VENV / "bin" / "mailman"), "-C", str(self.cfg), *root, *args]

    def start(self) -> None:
        """Start Mailman and wait for REST and LMTP; raise RuntimeError with its log if not."""
        ensure_mailman_venv()
        self.write_config()
        started = time.monotonic()
        # The daemon keeps inherited pipes open: its output goes to a file, never a pipe.
        with self.log.open("w") as out:
            done = subprocess.run(
                self.command("start"),
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.base,
                timeout=STARTUP_TIMEOUT,
                check=False,
            )
        if done.returncode != 0:
            raise RuntimeError(f"mailman start failed ({done.returncode}):\n{self.diagnostics()}")
        deadline = started + STARTUP_TIMEOUT
        while not self._rest_ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"Mailman's REST API never answered:\n{self.diagnostics()}")
            time.sleep(0.25)
        while not _port_open(self.lmtp_port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Mailman's LMTP port never opened:\n{self.diagnostics()}")
            time.sleep(0.25)
        self.startup_seconds = time.monotonic() - started

    def _rest_ready(self) -> bool:
        try:
            return self.request("GET", "/3.1/system/versions")[0] == 200
        except (urllib3.exceptions.HTTPError, OSError):
            return False

    def stop(self) -> None:
        """Stop Mailman and wait for its master process to end (killing it if it will not)."""
        pid_file = self.var_dir / "master.pid"
        pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
        with self.log.open("a") as out:
            subprocess.run(
                self.command("stop"), stdout=out, stderr=subprocess.STDOUT, timeout=60, check=False
            )
        if pid is None:
            return
        deadline = time.monotonic() + 30
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if process_alive(pid):
            os.kill(pid, 9)

    def diagnostics(self) -> str:
        """Return the tail of the start log and of Mailman's own log."""
        parts = []
        for path in (self.log, self.var_dir / "logs" / "mailman.log"):
            if path.exists():
                parts.append(f"--- {path}\n{path.read_text()[-3000:]}")
        return "\n".join(parts) or "(no log)"

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        """Send one REST call; return (status, parsed JSON or None)."""
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = self._http.request(
            method,
            self.rest_url + path,
            body=json.dumps(body).encode() if body is not None else None,
            headers=headers,
        )
        text = response.data.decode() if response.data else ""
        return response.status, (json.loads(text) if text.strip() else None)

    def call(self, method: str, path: str, body: dict | None = None, ok=(200, 201, 204)) -> Any:
        """Like :meth:`request`, but raise with Mailman's answer on an unexpected status."""
        status, payload = self.request(method, path, body)
        if status not in ok:
            raise RuntimeError(f"Mailman {method} {path} -> {status}: {payload}")
        return payload


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class MailmanSetup:
    """A running Mailman with one list, its SMTP sink, and the adapter's settings for it."""

    core: MailmanCore
    sink: SmtpSink
    list_id: str
    posting_address: str
    author: str

    def config(self, **overrides: Any) -> NewsletterConfig:
        """Return settings for the Mailman adapter against this list (LMTP posting)."""
        values: dict[str, Any] = {
            "provider": "mailman",
            "api_url": self.core.rest_url,
            "api_key": f"{REST_USER}:{REST_PASS}",
            "list_id": self.list_id,
            "from_name": "Lettere da Condividi",
            "from_email": self.author,
            "mailman_post_url": f"lmtp://127.0.0.1:{self.core.lmtp_port}",
            "timeout": 30.0,
        }
        values.update(overrides)
        return NewsletterConfig(**values)

    def members(self) -> list[dict[str, Any]]:
        """Return the list's regular members as Mailman reports them."""
        payload = self.core.call("GET", f"/3.1/lists/{self.list_id}/roster/member")
        return list((payload or {}).get("entries", []))


@pytest.fixture(scope="session")
def mailman_core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailmanSetup]:
    """A real Mailman Core with the list ``lettere@lists.example.org`` (one per session).

    The author (``autrice@example.org``) may post: she is a nonmember whose moderation action
    is "accept", as a list owner would set up an announcement list.
    """
    base = tmp_path_factory.mktemp("mailman")
    sink = SmtpSink().start()
    core = MailmanCore(base, sink.port)
    try:
        core.start()
        core.call("POST", "/3.1/domains", {"mail_host": "lists.example.org"})
        core.call("POST", "/3.1/lists", {"fqdn_listname": "lettere@lists.example.org"})
        list_id = "lettere.lists.example.org"
        author = "autrice@example.org"
        core.call(
            "POST",
            "/3.1/members",
            {"list_id": list_id, "subscriber": author, "role": "nonmember"},
        )
        member = core.call("GET", f"/3.1/lists/{list_id}/nonmember/{author}", ok=(200,))
        core.call(
            "PATCH", member["self_link"].split(core.rest_url)[-1], {"moderation_action": "accept"}
        )
        yield MailmanSetup(core, sink, list_id, "lettere@lists.example.org", author)
    finally:
        core.stop()
        sink.stop()
