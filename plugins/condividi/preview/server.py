"""The preview's web server: ``output/`` as a static host serves it, plus live reload.

- Until the session's first build is done, every page answers a short "building" page (503,
  ``Retry-After``) that refreshes itself; if that build fails, the page lists the problems
  and keeps refreshing, so it becomes the site once the post is fixed.
- A missing path gets the site's own ``404.html`` with status 404.
- HTML pages get one external script, ``/__condividi/reload.js``, inserted before
  ``</body>`` as they are sent: the files in ``output/`` stay byte for byte what the build
  wrote, and ``make publish`` has nothing of it. The script listens to
  ``/__condividi/events`` (Server-Sent Events) and reloads the page when the page or a file
  it loads was rebuilt; it shows a build's errors over the page. No inline script or style,
  so the site's strict Content-Security-Policy holds; without JavaScript, nothing reloads.
- ``/__condividi/status`` tells tools (the benchmark, the tests) where the preview stands.
"""

from __future__ import annotations

import html
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from condividi.preview.rebuilder import Status

PREFIX = "/__condividi/"
RELOAD_SCRIPT = Path(__file__).with_name("reload.js")
SCRIPT_TAG = f'<script src="{PREFIX}reload.js" defer></script>'.encode()
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
# A reloading browser may ask for a page while a full build swaps the new output in place of
# the old (two renames): it waits this long for the folder to be back.
SWAP_WAIT_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
# More changed files than this in one event: every page reloads.
MAX_PATHS_IN_EVENT = 2000


def inject_reload(page: bytes) -> bytes:
    """Return the HTML ``page`` with the live-reload script before its last ``</body>``
    (at its end when it has none)."""
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + SCRIPT_TAG
    at = ends[-1].start()
    return page[:at] + SCRIPT_TAG + page[at:]


def building_page(problems: tuple[str, ...]) -> bytes:
    """Return the page shown before the first build is done, or with the problems that
    stopped it. It refreshes itself (a ``<meta>`` refresh: no script needed)."""
    if problems:
        title = "Il sito non è stato costruito · The site was not built"
        items = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
        body = (
            f"<h1>{title}</h1><ul>{items}</ul><p>Correggi il file e salva: questa pagina si "
            "aggiorna da sola. · Fix the file and save: this page refreshes itself.</p>"
        )
        refresh = 2
    else:
        title = "Costruzione del sito… · Building the site…"
        body = (
            f"<h1>{title}</h1><p>La prima costruzione richiede qualche secondo; questa pagina "
            "si aggiorna da sola. · The first build takes a few seconds; this page refreshes "
            "itself.</p>"
        )
        refresh = 1
    return (
        '<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{refresh}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body>{body}</body></html>"
    ).encode()


FALLBACK_404 = (
    b'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>404</title></head>'
    b"<body><h1>404</h1><p>Pagina non trovata. \xc2\xb7 Page not found.</p></body></html>"
)


class EventHub:
    """Hands each event to every connected browser (one queue per Server-Sent Events client)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: list[queue.Queue[tuple[str, str] | None]] = []

    def subscribe(self) -> queue.Queue[tuple[str, str] | None]:
        """Return a new client's queue of ``(event, data)``; None means the server closes."""
        client: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self._lock:
            self._clients.append(client)
        return client

    def unsubscribe(self, client: queue.Queue[tuple[str, str] | None]) -> None:
        """Forget a client that went away."""
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def publish(self, event: str, data: Mapping[str, Any]) -> None:
        """Send ``event`` with ``data`` (as JSON) to every client."""
        message = (event, json.dumps(data, ensure_ascii=False))
        with self._lock:
            for client in self._clients:
                client.put(message)

    @property
    def connected(self) -> int:
        """How many browsers listen now."""
        with self._lock:
            return len(self._clients)

    def close(self) -> None:
        """End every client's stream."""
        with self._lock:
            for client in self._clients:
                client.put(None)
            self._clients.clear()

    def reload(self, changed: tuple[str, ...]) -> None:
        """Tell the browsers which files of the output changed (``saggio/index.html``)."""
        if len(changed) > MAX_PATHS_IN_EVENT:
            self.publish("reload", {"all": True, "paths": []})
        elif changed:
            self.publish("reload", {"all": False, "paths": list(changed)})


class PreviewServer(ThreadingHTTPServer):
    """Serves ``output`` on 127.0.0.1 with the preview's extras (see the module's docstring).

    ``status`` returns where the preview stands; ``headers`` are sent with every answer
    (the tests send the site's strict Content-Security-Policy this way).
    """

    daemon_threads = True

    def __init__(
        self,
        output: Path,
        port: int,
        status: Callable[[], Status],
        hub: EventHub,
        headers: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.output = output
        self.status = status
        self.hub = hub
        self.headers = dict(headers or {})
        super().__init__((host, port), partial(PreviewHandler, directory=str(output)))

    @property
    def url(self) -> str:
        """Return the server's address, ``http://127.0.0.1:<port>/``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


class PreviewHandler(SimpleHTTPRequestHandler):
    """One request to the :class:`PreviewServer`."""

    server: PreviewServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not every request

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD: the GET's status and headers, no body."""
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == PREFIX + "events":
            self._events()
            return
        if path == PREFIX + "reload.js":
            self._send(200, "text/javascript; charset=utf-8", RELOAD_SCRIPT.read_bytes(), send_body)
            return
        status = self.server.status()
        if path == PREFIX + "status":
            self._send(200, "application/json", json.dumps(asdict(status)).encode(), send_body)
            return
        if not status.ready:
            code = 500 if status.problems and not status.busy else 503
            page = building_page(status.problems)
            self._send(code, "text/html; charset=utf-8", page, send_body, {"Retry-After": "1"})
            return
        self._file(path, send_body)

    def _file(self, path: str, send_body: bool) -> None:
        target = Path(self.translate_path(path))
        deadline = time.monotonic() + SWAP_WAIT_SECONDS
        while not self.server.output.is_dir() and time.monotonic() < deadline:
            time.sleep(0.01)
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self._extra_headers()
                self.end_headers()
                return
            target = target / "index.html"
        try:
            data = target.read_bytes()
        except OSError:  # missing, a folder without index.html, unreadable
            self._not_found(send_body)
            return
        kind = self.guess_type(str(target))
        if kind == "text/html":
            data = inject_reload(data)
            kind = "text/html; charset=utf-8"
        self._send(200, kind, data, send_body)

    def _not_found(self, send_body: bool) -> None:
        try:
            page = inject_reload((self.server.output / "404.html").read_bytes())
        except OSError:
            page = FALLBACK_404
        self._send(404, "text/html; charset=utf-8", page, send_body)

    def _send(
        self,
        code: int,
        kind: str,
        data: bytes,
        send_body: bool,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._extra_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _extra_headers(self) -> None:
        for name, value in self.server.headers.items():
            self.send_header(name, value)

    def _events(self) -> None:
        """Stream Server-Sent Events until the browser leaves or the server stops."""
        client = self.server.hub.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self._extra_headers()
            self.end_headers()
            status = self.server.status()
            self._event("hello", json.dumps({"builds": status.builds}))
            if status.problems:
                self._event("problem", json.dumps({"problems": list(status.problems)}))
            while True:
                try:
                    message = client.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if message is None:
                    return
                self._event(*message)
        except OSError:  # the browser went away
            return
        finally:
            self.server.hub.unsubscribe(client)

    def _event(self, event: str, data: str) -> None:
        self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
        self.wfile.flush()
