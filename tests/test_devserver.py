"""``make serve`` as an author runs it: ``python -m condividi serve`` in a project folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import copy_project, free_port, wait_for
from tests.preview_support import POST, fetch


def test_serve_answers_at_once_builds_serves_and_stops_cleanly(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "condividi", "serve", "--port", str(port), "--no-services"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: "serving the site" in log.read_text(), 60), log.read_text()
        first = fetch(url + "/")  # answered at once: the building page or the site
        assert first.status in (200, 503) and first.body
        assert wait_for(lambda: fetch(url + "/").status == 200, 120), log.read_text()
        page = fetch(f"{url}/{POST}/")
        assert page.status == 200 and b"/__condividi/reload.js" in page.body
        assert b"/__condividi/" not in (project / "output" / POST / "index.html").read_bytes()
        missing = fetch(url + "/non-esiste/")
        assert missing.status == 404 and b"<html" in missing.body
        assert "site built in" in log.read_text()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        server.kill()
    assert not (project / ".output.preview").exists()
    assert "stopping" in log.read_text()


def test_signals_to_the_process_group_while_stopping_end_it_with_one_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "condividi", "serve", "--port", str(port), "--no-services"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as `make serve` in a terminal
        )
    try:
        assert wait_for(lambda: "serving the site" in log.read_text(), 60), log.read_text()
        # Stopped while its first build runs, then signalled again and again until it ends.
        os.killpg(server.pid, signal.SIGINT)
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(
                    server.pid, signal.SIGTERM if int(time.monotonic() * 50) % 2 else signal.SIGINT
                )
        assert server.wait(timeout=5) == 0
    finally:
        server.kill()
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert text.count("stopping") == 1, text
