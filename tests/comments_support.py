"""Shared by the comments tests: a real Isso server on 127.0.0.1, and sites built against it."""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from condividi.build import build_site
from condividi.comments.config import CommentsConfig
from condividi.comments.isso import IssoSite, isso_command, write_config
from tests.conftest import QuietHandler, StaticServer, copy_project, free_port

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


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``; fail if ``process`` dies."""
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


class IssoServer:
    """A real Isso on a free port with a database in ``folder`` and the spam guard off."""

    def __init__(
        self, folder: Path, site_origins: tuple[str, ...], moderation: bool = False
    ) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = folder / "comments.db"
        self.log = folder / "isso.log"
        config = CommentsConfig(isso_url=self.url, isso_hosts=site_origins, moderation=moderation)
        site = IssoSite(config=config, siteurl=site_origins[0], project=folder)
        self.config_path = write_config(
            site, folder / "isso.cfg", listen=self.url, guard=False, dbpath=self.db
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> IssoServer:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                isso_command(self.config_path, "run"), stdout=log, stderr=subprocess.STDOUT
            )
        wait_for_port(self.port, self.process, self.log)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

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


class _IssoProxyHandler(QuietHandler):
    """Serves the site and passes ``/isso/...`` to Isso, as the README's nginx sample does."""

    isso_url = ""
    forwarded = ("content-type", "origin", "referer", "cookie")
    hop_by_hop = ("connection", "content-length", "date", "server", "transfer-encoding")

    def _proxy(self) -> None:
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
            self._proxy()
        else:
            super().do_GET()

    do_POST = do_PUT = do_DELETE = _proxy


class SiteWithIsso(StaticServer):
    """The built site on 127.0.0.1 with Isso under ``/isso`` on the same origin."""

    def __init__(self, directory: Path, port: int, isso_url: str) -> None:
        super().__init__(directory, port)
        handler = type("Handler", (_IssoProxyHandler,), {"isso_url": isso_url})
        self.httpd.RequestHandlerClass = functools.partial(handler, directory=str(directory))
