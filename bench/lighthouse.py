"""Lighthouse scores of a page served from 127.0.0.1, with Debian's Chromium.

Lighthouse comes from npm into ``bench/node_modules`` (``make bench-tools``: ``lighthouse@12.2.3``;
13.x needs Node 22). It runs with its default mobile preset and the Chromium flags of
``reference/tooling.md``. The site is served as in production: text files gzipped, as every
static host does when the browser accepts it, and a Condividi site's comments from a real Isso
behind the same-origin ``/isso/`` proxy of docs/deploying.md's nginx sample.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from condividi.comments.isso import IssoProxyHandler, LocalIsso
from condividi.services import free_port

BENCH = Path(__file__).resolve().parent
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def unavailable() -> str | None:
    """Return why Lighthouse cannot run here, or None when it can."""
    if not LIGHTHOUSE.exists():
        return f"Lighthouse is not installed ({LIGHTHOUSE}): run `make bench-tools`"
    if not CHROMIUM.exists() and not os.environ.get("CHROME_PATH"):
        return f"no Chromium at {CHROMIUM} (or set CHROME_PATH)"
    if not shutil.which("node"):
        return "Node.js is not installed"
    return None


COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site's files, gzipping text for a browser that accepts it, without a log."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and kind.startswith(COMPRESSED_TYPES)):
            return super().send_head()  # directories, missing files, images: as they are
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


class _QuietIssoProxy(IssoProxyHandler, _QuietHandler):
    pass


class SiteServer:
    """A static HTTP server on 127.0.0.1 for a folder that may not exist yet.

    The port is bound at creation, so a site can be built with ``url`` as its SITEURL before
    the server starts answering. With ``comments`` (a folder for its database and log), a real
    Isso runs beside it for the duration of :meth:`running`, reached at ``<url>/isso/``.
    """

    def __init__(self, directory: Path, comments: Path | None = None) -> None:
        self.directory = directory
        self.comments = comments
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[SiteServer]:
        """Serve in a thread (and run Isso) for the duration of the ``with`` block."""
        with ExitStack() as stack:
            if self.comments is not None:
                self.comments.mkdir(parents=True, exist_ok=True)
                isso = stack.enter_context(LocalIsso(self.comments, (self.url,), free_port()))
                proxy = type("Proxy", (_QuietIssoProxy,), {"isso_url": isso.url})
                self.httpd.RequestHandlerClass = functools.partial(
                    proxy, directory=str(self.directory)
                )
            thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
            thread.start()
            try:
                yield self
            finally:
                self.httpd.shutdown()
                self.httpd.server_close()


def run(url: str, report: Path, timeout: float = 300) -> dict[str, Any]:
    """Run Lighthouse (mobile preset) on ``url``; save its JSON report at ``report``.

    Returns the four category scores (0 to 100), the audits that lost points in each category,
    and the page's requests and transferred bytes as Lighthouse saw them. Raises
    ``RuntimeError`` with Lighthouse's output when it fails.
    """
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", str(CHROMIUM))}
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url}: {(done.stderr or done.stdout)[-2000:]}")
    return summarize(json.loads(report.read_text(encoding="utf-8")))


def summarize(lhr: dict[str, Any]) -> dict[str, Any]:
    """Return the scores, the point-losing audits and the network totals of a Lighthouse result."""
    audits = lhr["audits"]
    scores: dict[str, int | None] = {}
    lost: dict[str, list[str]] = {}
    for name in CATEGORIES:
        category = lhr["categories"][name]
        score = category.get("score")
        scores[name] = None if score is None else round(score * 100)
        lost[name] = [
            f"{ref['id']} ({audits[ref['id']].get('score')})"
            for ref in category["auditRefs"]
            if ref.get("weight", 0) > 0
            and audits[ref["id"]].get("score") is not None
            and audits[ref["id"]]["score"] < 1
        ]
    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    return {
        "scores": scores,
        "lost_points": lost,
        "requests": len(requests),
        "transfer_bytes": int(audits.get("total-byte-weight", {}).get("numericValue", 0)),
        "lighthouse_version": lhr.get("lighthouseVersion"),
        "runtime_error": (lhr.get("runtimeError") or {}).get("message"),
    }
