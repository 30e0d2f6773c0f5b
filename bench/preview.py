"""Preview: how soon ``make serve`` shows a never-built blog and then each saved edit, measured
as an author sees it, against plain Pelican building the same content in the same run.

The corpus is added to the sample site (its settings, theme, posts and pages) in a sub-folder
of ``content/articles/``, as an imported blog sits, and nothing is built beforehand (no cache:
the site right after a WordPress import). Plain Pelican builds the same content first (its
first build) and again after the preview stopped (full builds); then ``python -m condividi
serve`` starts on a free port with its services (the comment server and the signup endpoint)
unless told not to. Measured:

- **first page**: from the start of ``make serve`` until its home page answers 200 with the
  site (not the "building" page);
- **saves**: the sample post is saved in place (the file rewritten, no rename) every
  :data:`SAVE_INTERVAL_SECONDS`, whether or not the site has caught up with the previous
  save (its full rebuild may still run); each is timed from the save until its URL serves the
  new text;
- **converged**: from the last save until the server reports that every change is built.

Each is also given as a ratio to plain Pelican: the saves and the convergence to its full
build (median), the first page to its first build.
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
from bench.builds import ROOT, Bench, BuildFailed, child_env
from condividi.services import free_port

EDITS = 5
SAVE_INTERVAL_SECONDS = 3.0
POLL_SECONDS = 0.01
TIMEOUT_SECONDS = 900.0
# Targets, as ratios to plain Pelican's build of the same content (issue 23).
SAVE_MEDIAN_RATIO = 0.05
SAVE_MAX_RATIO = 0.08
FIRST_PAGE_RATIO = 0.5
CONVERGED_RATIO = 0.5
CORPUS_FOLDER = "articles/bench"
# Plain Pelican builds of the same content: one before the preview (its first), then these.
PELICAN_FULL_BUILDS = 2


def prepare_site(site: Path, count: int, seed: int) -> list[corpus.Post]:
    """Copy the sample site (settings, theme, content) into ``site`` and add the corpus in
    ``content/articles/bench/``."""
    site.mkdir(parents=True)
    shutil.copy2(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    for name in ("theme", "content"):
        shutil.copytree(ROOT / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    return corpus.write_corpus(site / "content", count, seed, folder=CORPUS_FOLDER)


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


def _serves_site(url: str) -> bool:
    return _get(url)[0] == 200


def _idle(base: str) -> bool:
    status, body = _get(base + "/__condividi/status")
    if status != 200:
        return False
    state = json.loads(body)
    return bool(state["ready"]) and not state["busy"] and not state["problems"]


def _save_in_place(path: Path, text: str) -> None:
    # As most editors save by default: the same file truncated and written again.
    with path.open("w", encoding="utf-8") as file:
        file.write(text)


def pelican_build(bench: Bench, label: str) -> float:
    """Build the bench's content with plain Pelican from empty caches; return the seconds."""
    output = bench.work / f"output-{label}"
    build = bench.build("pelican", label, output, bench.work / f"cache-{label}")
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(bench.work / f"cache-{label}", ignore_errors=True)
    return build.seconds


def measure(
    work: Path,
    count: int,
    seed: int,
    sample: corpus.Post,
    edits: int = EDITS,
    services: bool = True,
    interval: float = SAVE_INTERVAL_SECONDS,
) -> dict[str, Any]:
    """Measure the preview of the sample site plus ``count`` corpus posts; return the numbers.

    ``sample`` is the corpus post to edit (``edits`` saves, ``interval`` seconds apart);
    ``services`` runs the comment server and the signup endpoint as ``make serve`` does.
    """
    site = work / "preview-site"
    prepare_site(site, count, seed)
    post = site / "content" / CORPUS_FOLDER / sample.path.name
    pelican = Bench(site / "content", work / "preview-pelican", siteurl="http://127.0.0.1:8000")
    pelican_first = pelican_build(pelican, "pelican-first")
    port = free_port()
    env = {**child_env(), "PORT": str(port)}
    log = work / "preview-serve.log"
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/{sample.slug}/"
    original = post.read_text(encoding="utf-8")
    latencies: list[float] = []
    loads: list[float] = []
    command = [sys.executable, "-m", "condividi", "serve", "--port", str(port)]
    if not services:
        command.append("--no-services")
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=site, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: _serves_site(base + "/"), "building the first page", process, log)
        first_page = time.perf_counter() - started
        _wait(lambda: _idle(base), "building the site", process, log)
        first_build = time.perf_counter() - started
        saved = time.perf_counter()
        for number in range(edits):
            marker = f"Nota di prova {number + 1}, {uuid.uuid4().hex[:12]}."
            saved = time.perf_counter()
            _save_in_place(post, f"{original}\n{marker}\n")
            shown = functools.partial(_shows, url, marker.encode())
            _wait(shown, "showing an edit", process, log)
            latencies.append(time.perf_counter() - saved)
            loads.append(os.getloadavg()[0])
            if number + 1 < edits:
                time.sleep(max(0.0, saved + interval - time.perf_counter()))
        _wait(lambda: _idle(base), "rebuilding the site", process, log)
        converged = time.perf_counter() - saved
    finally:
        _save_in_place(post, original)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    try:
        pelican_full = [
            pelican_build(pelican, f"pelican-full-{number}")
            for number in range(PELICAN_FULL_BUILDS)
        ]
    finally:
        shutil.rmtree(site, ignore_errors=True)
    return summarize(
        count, latencies, converged, first_page, first_build, loads, pelican_first, pelican_full
    )


def summarize(
    count: int,
    latencies: list[float],
    converged: float,
    first_page: float,
    first_build: float,
    loads: list[float],
    pelican_first: float,
    pelican_full: list[float],
) -> dict[str, Any]:
    """Return the preview measurements: seconds, medians and maxima, and their ratios to
    plain Pelican's first build (``pelican_first``) and full builds (``pelican_full``)."""
    full = float(statistics.median(pelican_full))
    median = float(statistics.median(latencies))
    return {
        "posts": count,
        "edits": len(latencies),
        "latencies_seconds": latencies,
        "median_seconds": median,
        "max_seconds": max(latencies),
        "converged_seconds": converged,
        "first_page_seconds": first_page,
        "first_build_seconds": first_build,
        "max_load": max(loads, default=0.0),
        "pelican_first_seconds": pelican_first,
        "pelican_full_seconds": pelican_full,
        "pelican_full_median_seconds": full,
        "ratios": {
            "save_median": median / full,
            "save_max": max(latencies) / full,
            "first_page": first_page / pelican_first,
            "converged": converged / full,
        },
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.preview``: measure the preview alone and print the numbers (JSON)."""
    import argparse
    import tempfile

    from bench import run

    parser = argparse.ArgumentParser(prog="python -m bench.preview", description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=EDITS)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--no-services", action="store_true", help="serve the site only")
    options = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="condividi-bench-preview-"))
    try:
        posts = corpus.write_corpus(work / "corpus", options.posts, options.seed)
        sample = run.sample_post(posts)  # the one make bench edits
        measured = measure(
            work, options.posts, options.seed, sample, options.edits, not options.no_services
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(measured, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
