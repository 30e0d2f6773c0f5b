"""Preview latency: how soon ``make serve`` shows a saved edit, measured as an author sees it.

The corpus is added to the sample site (its settings, theme, posts and pages) and the site is
built once with ``make html``'s build, as the author's previous session would have left the
caches. Then ``python -m condividi serve --no-services`` starts on a free port, and the sample
post is edited several times: each edit is saved as an editor saves (a new file renamed over
the old one), and the post's URL is polled until it shows the new text (the latency), then the
server's status until the whole site has caught up (lists, tags, feeds: convergence).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bench import corpus
from bench.builds import ROOT, BuildFailed, child_env
from condividi.services import free_port

EDITS = 5
POLL_SECONDS = 0.01
TIMEOUT_SECONDS = 600.0
TARGET_SECONDS = 1.0


def prepare_site(site: Path, count: int, seed: int) -> list[corpus.Post]:
    """Copy the sample site (settings, theme, content) into ``site`` and add the corpus."""
    site.mkdir(parents=True)
    shutil.copy2(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    for name in ("theme", "content"):
        shutil.copytree(ROOT / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    return corpus.write_corpus(site / "content", count, seed)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:  # not listening yet
        return 0, b""


def _wait(condition: Any, what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not condition():
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise BuildFailed(f"the preview server exited while {what}:\n{tail}")
        if time.monotonic() > deadline:
            raise BuildFailed(f"the preview server timed out while {what}")
        time.sleep(POLL_SECONDS)


def _shows(url: str, text: bytes) -> bool:
    return text in _get(url)[1]


def _idle(base: str) -> bool:
    status, body = _get(base + "/__condividi/status")
    if status != 200:
        return False
    state = json.loads(body)
    return bool(state["ready"]) and not state["busy"] and not state["problems"]


def _save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def measure(work: Path, count: int, seed: int, sample: corpus.Post, edits: int = EDITS) -> dict:
    """Measure the preview of the sample site plus ``count`` corpus posts; return the numbers.

    ``sample`` is the corpus post to edit. Latencies are from the moment the edit is saved
    to the moment its URL serves the new text; convergence, to the moment the server reports
    that every change is built.
    """
    site = work / "preview-site"
    prepare_site(site, count, seed)
    post = site / "content" / "articles" / sample.path.name
    port = free_port()
    env = {**child_env(), "PORT": str(port)}
    log = work / "preview-serve.log"
    warm = subprocess.run(
        [sys.executable, "-m", "condividi", "build", "--settings", "pelicanconf.py"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
    )
    if warm.returncode != 0:
        raise BuildFailed(f"the warm-up build failed:\n{warm.stderr[-3000:]}")
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/{sample.slug}/"
    original = post.read_text(encoding="utf-8")
    latencies: list[float] = []
    converged: list[float] = []
    loads: list[float] = []
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "condividi", "serve", "--port", str(port), "--no-services"],
            cwd=site,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(lambda: _idle(base), "building the site", process, log)
        first_build = time.perf_counter() - started
        for number in range(edits):
            marker = f"Nota di prova {number + 1}, {uuid.uuid4().hex[:12]}."
            saved = time.perf_counter()
            _save(post, f"{original}\n{marker}\n")
            shown = functools.partial(_shows, url, marker.encode())
            _wait(shown, "showing an edit", process, log)
            latencies.append(time.perf_counter() - saved)
            _wait(lambda: _idle(base), "rebuilding the site", process, log)
            converged.append(time.perf_counter() - saved)
            loads.append(os.getloadavg()[0])
            time.sleep(0.5)
    finally:
        _save(post, original)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(site, ignore_errors=True)
    return summarize(count, latencies, converged, first_build, loads)


def summarize(
    count: int,
    latencies: list[float],
    converged: list[float],
    first_build: float,
    loads: list[float],
) -> dict[str, Any]:
    """Return the preview measurements with their medians and maxima."""
    return {
        "posts": count,
        "edits": len(latencies),
        "latencies_seconds": latencies,
        "median_seconds": float(statistics.median(latencies)),
        "max_seconds": max(latencies),
        "converged_seconds": converged,
        "converged_median_seconds": float(statistics.median(converged)),
        "converged_max_seconds": max(converged),
        "first_build_seconds": first_build,
        "max_load": max(loads, default=0.0),
    }
