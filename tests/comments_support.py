"""Shared by the comments tests: a real Isso server on 127.0.0.1, and sites built against it."""

from __future__ import annotations

import functools
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from condividi.build import build_site
from condividi.comments.isso import IssoProxyHandler, LocalIsso
from tests.conftest import QuietHandler, StaticServer, copy_project, free_port
from tests.newsletter_support import SmtpSink

ARTICLE = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"
OTHER_ARTICLE = "la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti"
THIRD_ARTICLE = "crisi-di-reputazione-sui-social-le-prime-24-ore"

# Settings that make each hosted service valid (made-up ids: nothing is ever contacted).
HOSTED = {
    "giscus": {
        "COMMENTS_GISCUS_REPO": "giulia/blog",
        "COMMENTS_GISCUS_REPO_ID": "R_kgDOexample",
        "COMMENTS_GISCUS_CATEGORY": "Commenti",
        "COMMENTS_GISCUS_CATEGORY_ID": "DIC_kwDOexample",
    },
    "disqus": {"COMMENTS_DISQUS_SHORTNAME": "condividi-blog"},
    "remark42": {"COMMENTS_REMARK42_HOST": "https://remark.example.org"},
    "cusdis": {"COMMENTS_CUSDIS_APP_ID": "0f1e2d3c"},
}


class IssoClient:
    """Calls the HTTP API of the Isso answering at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, method: str, path: str, body: Any = None, origin: str = "") -> Any:
        """Call Isso's HTTP API; return the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if origin:
            headers["Origin"] = origin
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def counts(self, *threads: str) -> list[int]:
        """Return the published comment counts of ``threads`` (Isso's POST /count)."""
        return self.request("POST", "/count", list(threads))

    def thread(self, thread: str) -> dict[str, Any]:
        """Return Isso's listing of one thread (GET /?uri=...)."""
        return self.request("GET", f"/?uri={urllib.parse.quote(thread)}")

    def new(self, thread: str, text: str, author: str, origin: str = "") -> dict[str, Any]:
        """Post a comment (with an email address) to ``thread``; return Isso's answer."""
        body = {"text": text, "author": author, "email": "lettore@example.org", "title": "T"}
        return self.request("POST", f"/new?uri={urllib.parse.quote(thread)}", body, origin)

    def comment_status(self, comment_id: int) -> int:
        """Return the HTTP status of ``GET /id/<comment_id>`` (404 once deleted)."""
        try:
            with urllib.request.urlopen(f"{self.url}/id/{comment_id}", timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def answers(self) -> bool:
        """Tell whether Isso answers its count endpoint."""
        try:
            return self.counts() == []
        except OSError:
            return False


class IssoServer(LocalIsso, IssoClient):
    """A real Isso on a free port with a database in ``folder`` and the spam guard off."""

    def __init__(
        self, folder: Path, site_origins: tuple[str, ...], moderation: bool = False
    ) -> None:
        super().__init__(folder, site_origins, free_port(), moderation)


# The moderation links of Isso's comment mail.
MODERATION_LINK = re.compile(r"^(Activate|Delete) comment: (\S+)$", re.MULTILINE)


def moderation_links(message: EmailMessage) -> dict[str, str]:
    """Return ``{"activate": url, "delete": url}`` from one of Isso's comment mails."""
    text = message.get_content().replace("\r\n", "\n")
    return {kind.lower(): url for kind, url in MODERATION_LINK.findall(text)}


def post_form(url: str) -> tuple[int, str]:
    """POST to a moderation link as its confirmation page does; return the status and text."""
    request = urllib.request.Request(url, b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def build_project(
    base: Path,
    siteurl: str,
    overrides: Mapping[str, Any] | None = None,
    settings: str = "publishconf.py",
) -> Path:
    """Copy the sample project into ``base``, build it with ``overrides``; return the output."""
    project = copy_project(base)
    return build_site(
        project / settings,
        project / "output",
        {
            "SITEURL": siteurl,
            "PATH": str(project / "content"),
            "CACHE_PATH": str(base / "cache"),
            **(overrides or {}),
        },
    )


class _IssoProxyHandler(IssoProxyHandler, QuietHandler):
    """Serves the site with the strict CSP and passes ``/isso/...`` to Isso."""


class SiteWithIsso(StaticServer):
    """The built site on 127.0.0.1 with Isso under ``/isso`` on the same origin."""

    def __init__(self, directory: Path, port: int, isso_url: str) -> None:
        super().__init__(directory, port)
        handler = type("Handler", (_IssoProxyHandler,), {"isso_url": isso_url})
        self.httpd.RequestHandlerClass = functools.partial(handler, directory=str(directory))


def client_settings(output: Path, lang: str) -> dict[str, str]:
    """Return the attributes the build's Isso client script for ``lang`` gives Isso."""
    script = (output / "theme" / "js" / f"isso-{lang}.js").read_text(encoding="utf-8")
    start = script.index("{", script.index("document.currentScript"))
    return json.loads(script[start : script.rindex("}") + 1])


class LoginSmtpSink(SmtpSink):
    """The tests' SMTP sink, asking for a login (AUTH PLAIN/LOGIN, without TLS on loopback).

    ``accepted`` is the (user, password) pair it takes; ``logins`` records every attempt.
    """

    def __init__(self, user: str, password: str) -> None:
        super().__init__()
        self.accepted = (user, password)
        self.logins: list[tuple[str, str]] = []
        self.controller = Controller(
            self,
            hostname=self.host,
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            auth_required=True,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == self.accepted)
