"""Timed builds of one corpus with Condividi and with plain Pelican, each in a fresh process.

Condividi builds with the project's ``publishconf.py`` (every plugin in ``PLUGINS``, our theme)
through :func:`condividi.build.build_site`, as ``make publish`` does. Plain Pelican builds with
the settings ``pelican-quickstart`` writes for publishing: its default theme (``notmyidea``),
``FEED_ALL_ATOM`` and ``CATEGORY_FEED_ATOM``, ten posts a page, no plugins, and
``DELETE_OUTPUT_DIRECTORY``. Both read the same content with the same site URL.

Wall time is measured around the child process; peak memory (max RSS) and CPU time come from
``os.wait4`` on that child alone.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from condividi.build import load_settings

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("condividi", "pelican")
SITEURL = "https://www.example.org"


@dataclass(frozen=True)
class Build:
    """One measured build."""

    tool: str
    label: str
    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    in_process_seconds: float
    swap_seconds: float | None
    load: float  # the 1-minute load average when the build ended: was the machine busy?
    search_seconds: float | None = None  # Condividi's search step, inside the build


class BuildFailed(RuntimeError):
    """A benchmark build exited with an error; the message ends with its log."""


def child_env() -> dict[str, str]:
    """Return the environment of a build process: this checkout's code first on the path."""
    env = dict(os.environ)
    paths = [str(ROOT / "plugins"), str(ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def run_child(args: list[str], cwd: Path, log: Path, label: str, tool: str) -> Build:
    """Run ``python -m bench.child args`` in ``cwd`` and return its measurements.

    Raises :class:`BuildFailed`, with the end of the log, when the build fails.
    """
    report = log.with_suffix(".json")
    command = [sys.executable, "-m", "bench.child", *args, str(report)]
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=child_env(), stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not report.is_file():
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BuildFailed(f"{tool} build '{label}' failed (exit {process.returncode}):\n{tail}")
    inside = json.loads(report.read_text(encoding="utf-8"))
    return Build(
        tool=tool,
        label=label,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        in_process_seconds=inside["in_process_seconds"],
        swap_seconds=inside.get("swap_seconds"),
        load=os.getloadavg()[0],
        search_seconds=inside.get("search_seconds"),
    )


def plugin_names() -> list[str]:
    """Return the ``PLUGINS`` of the project's ``publishconf.py``, as written there."""
    settings = load_settings(ROOT / "publishconf.py", {"SITEURL": SITEURL})
    return [str(plugin) for plugin in settings.get("PLUGINS") or []]


def share_cache_settings() -> list[str]:
    """Return the names of the share plugin's cache settings (``SHARE_*CACHE*``), if any."""
    settings = load_settings(ROOT / "publishconf.py", {"SITEURL": SITEURL})
    return sorted(
        name
        for name, value in settings.items()
        if name.startswith("SHARE_") and "CACHE" in name and isinstance(value, str)
    )


PELICAN_SETTINGS = """\
# Plain Pelican as pelican-quickstart sets it up for publishing; written by the benchmark.
AUTHOR = "Giulia Ferraris"
SITENAME = "Condividi"
SITEURL = {siteurl!r}
PATH = {content!r}
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
TIMEZONE = "Europe/Rome"
DEFAULT_LANG = "it"
DEFAULT_PAGINATION = 10
RELATIVE_URLS = False
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DELETE_OUTPUT_DIRECTORY = True
PLUGINS = []
CACHE_PATH = {cache!r}
CACHE_CONTENT = {caching!r}
LOAD_CONTENT_CACHE = {caching!r}
CONTENT_CACHING_LAYER = "reader"
"""


class Bench:
    """Builds one corpus (``content``) with both tools, inside the scratch folder ``work``."""

    def __init__(self, content: Path, work: Path, siteurl: str = SITEURL) -> None:
        self.content = content
        self.work = work
        self.siteurl = siteurl
        self.share_caches = share_cache_settings()
        self.builds: list[Build] = []
        self._serial = 0
        work.mkdir(parents=True, exist_ok=True)

    def command(
        self, tool: str, label: str, output: Path, cache: Path, caching: bool = False
    ) -> tuple[list[str], Path]:
        """Return the ``bench.child`` arguments of one build, and its log file.

        ``cache`` holds every build cache; ``caching`` turns on Pelican's content cache
        (``CACHE_CONTENT`` and ``LOAD_CONTENT_CACHE``, reader layer). Writes the build's
        settings (overrides for Condividi, a settings file for Pelican) next to the log.
        """
        self._serial += 1
        cache.mkdir(parents=True, exist_ok=True)
        log = self.work / "logs" / f"{self._serial:03d}-{tool}-{label}.log"
        log.parent.mkdir(exist_ok=True)
        caches = {
            "CACHE_PATH": str(cache / "pelican"),
            "CACHE_CONTENT": caching,
            "LOAD_CONTENT_CACHE": caching,
            "CONTENT_CACHING_LAYER": "reader",
        }
        if tool == "condividi":
            overrides = {
                "PATH": str(self.content),
                "SITEURL": self.siteurl,
                **caches,
                **{name: str(cache / name.lower()) for name in self.share_caches},
            }
            overrides_file = log.with_suffix(".settings.json")
            overrides_file.write_text(json.dumps(overrides), encoding="utf-8")
            return [
                "condividi",
                str(ROOT / "publishconf.py"),
                str(output),
                str(overrides_file),
            ], log
        settings = log.with_suffix(".pelicanconf.py")
        settings.write_text(
            PELICAN_SETTINGS.format(
                siteurl=self.siteurl,
                content=str(self.content),
                cache=caches["CACHE_PATH"],
                caching=caching,
            ),
            encoding="utf-8",
        )
        return ["pelican", str(settings), str(output)], log

    def build(
        self, tool: str, label: str, output: Path, cache: Path, caching: bool = False
    ) -> Build:
        """Build the corpus with ``tool`` into ``output`` and return the measurements.

        The build runs with ``cache`` as its working folder, so caches a plugin keeps relative
        to it land there too (see :meth:`command` for the arguments).
        """
        args, log = self.command(tool, label, output, cache, caching)
        result = run_child(args, cache, log, label, tool)
        self.builds.append(result)
        return result


def article_path(tool: str, slug: str) -> str:
    """Return where ``tool`` writes the article ``slug``, relative to the output folder."""
    return f"{slug}/index.html" if tool == "condividi" else f"{slug}.html"


def check_output(output: Path, tool: str, slugs: list[str]) -> None:
    """Raise :class:`BuildFailed` unless ``output`` has the index and every article of ``slugs``.

    A build that silently skipped posts would look fast; this keeps the comparison honest.
    """
    missing = [s for s in slugs if not (output / article_path(tool, s)).is_file()]
    if missing or not (output / "index.html").is_file():
        raise BuildFailed(f"{tool} output {output} lacks {len(missing)} articles: {missing[:3]}")


def edit_post(path: Path) -> str:
    """Append a paragraph to the post at ``path`` (a one-post edit); return the old text."""
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original + "\nAggiornamento: ho riletto il saggio e aggiunto questa nota.\n",
        encoding="utf-8",
    )
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    return original


def median(values: list[float]) -> float:
    """Return the median of ``values``."""
    return float(statistics.median(values))


def summarize(builds: list[Build]) -> dict[str, Any]:
    """Return the median wall time, CPU time and peak memory of ``builds``, and each build."""
    return {
        "median_seconds": median([b.seconds for b in builds]),
        "min_seconds": min(b.seconds for b in builds),
        "median_cpu_seconds": median([b.cpu_seconds for b in builds]),
        "median_max_rss_mb": median([b.max_rss_mb for b in builds]),
        "runs": [asdict(b) for b in builds],
    }


def measure(
    bench: Bench,
    slugs: list[str],
    edited: Path,
    rounds: int,
    cached_rebuild: bool = True,
    cards: bool = False,
) -> dict[str, Any]:
    """Measure full builds (and cached rebuilds) of ``bench``'s corpus with both tools.

    First one warm-up build each (empty caches; it also fills Condividi's plugin caches, the
    social cards among them). Then ``rounds`` rounds of full builds without the content cache,
    alternating which tool goes first. With ``cached_rebuild``, each round also builds with an
    empty content cache, edits ``edited`` and builds again into the same output. With
    ``cards``, one more Condividi build starts from empty caches: the cold social cards.
    Every output is checked for the articles ``slugs``. Returns the measurements.
    """
    work = bench.work
    kept = {tool: work / f"output-{tool}" for tool in TOOLS}
    warm_cache = {tool: work / f"cache-{tool}" for tool in TOOLS}
    result: dict[str, Any] = {"warmup": {}, "full": {}, "rebuild": {}}
    for tool in TOOLS:
        output = work / f"output-{tool}-warmup"
        build = bench.build(tool, "warmup", output, warm_cache[tool])
        check_output(output, tool, slugs)
        shutil.rmtree(output)
        result["warmup"][tool] = asdict(build)

    full: dict[str, list[Build]] = {tool: [] for tool in TOOLS}
    cold: dict[str, list[Build]] = {tool: [] for tool in TOOLS}
    warm: dict[str, list[Build]] = {tool: [] for tool in TOOLS}
    for number in range(rounds):
        order = TOOLS if number % 2 == 0 else TOOLS[::-1]
        for tool in order:
            output = work / f"output-{tool}-{number}"
            full[tool].append(bench.build(tool, f"full-{number}", output, warm_cache[tool]))
            check_output(output, tool, slugs)
            shutil.rmtree(kept[tool], ignore_errors=True)
            output.rename(kept[tool])
        if not cached_rebuild:
            continue
        for tool in order:
            output = work / f"output-{tool}-cached-{number}"
            cache = work / f"cache-{tool}-cached-{number}"
            cold[tool].append(bench.build(tool, f"cold-{number}", output, cache, caching=True))
            original = edit_post(edited)
            try:
                warm[tool].append(
                    bench.build(tool, f"rebuild-{number}", output, cache, caching=True)
                )
                check_output(output, tool, slugs)
            finally:
                edited.write_text(original, encoding="utf-8")
            shutil.rmtree(output)
            shutil.rmtree(cache)

    for tool in TOOLS:
        result["full"][tool] = summarize(full[tool])
        if cached_rebuild:
            fractions = [w.seconds / c.seconds for w, c in zip(warm[tool], cold[tool], strict=True)]
            result["rebuild"][tool] = {
                "cold": summarize(cold[tool]),
                "rebuild": summarize(warm[tool]),
                "median_fraction_of_cold": median(fractions),
                "fractions_of_cold": fractions,
                "fraction_of_full_build": median([w.seconds for w in warm[tool]])
                / result["full"][tool]["median_seconds"],
            }
    result["ratio"] = (
        result["full"]["condividi"]["median_seconds"] / result["full"]["pelican"]["median_seconds"]
    )
    # Each round builds both tools back to back, so a per-round ratio cancels slow drifts of a
    # shared machine; its median is the steadiest of the ratios.
    result["paired_ratio"] = median(
        [
            ours.seconds / theirs.seconds
            for ours, theirs in zip(full["condividi"], full["pelican"], strict=True)
        ]
    )
    result["min_ratio"] = (
        result["full"]["condividi"]["min_seconds"] / result["full"]["pelican"]["min_seconds"]
    )
    result["cpu_ratio"] = (
        result["full"]["condividi"]["median_cpu_seconds"]
        / result["full"]["pelican"]["median_cpu_seconds"]
    )
    result["memory_ratio"] = (
        result["full"]["condividi"]["median_max_rss_mb"]
        / result["full"]["pelican"]["median_max_rss_mb"]
    )
    swaps = [b.swap_seconds or 0.0 for b in full["condividi"]]
    result["swap_seconds"] = {"fresh_output": median(swaps)}
    if cached_rebuild:
        replacing = [b.swap_seconds or 0.0 for b in warm["condividi"]]
        result["swap_seconds"]["replacing_output"] = median(replacing)
    if cards:
        output = work / "output-condividi-cards-cold"
        cold_cards = bench.build("condividi", "cards-cold", output, work / "cache-cards-cold")
        check_output(output, "condividi", slugs)
        shutil.rmtree(output)
        warm_seconds = result["full"]["condividi"]["median_seconds"]
        result["cards"] = {
            "cold_seconds": cold_cards.seconds,
            "warm_median_seconds": warm_seconds,
            "cold_minus_warm_seconds": cold_cards.seconds - warm_seconds,
        }
    result["max_load"] = max(build.load for build in bench.builds)
    result["outputs"] = {tool: str(path) for tool, path in kept.items()}
    return result
