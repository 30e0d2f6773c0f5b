"""Where a build spends its time: one build under cProfile, summed by area.

Used when a build target is missed (or with ``--profile``): each tool builds the corpus once
more under cProfile, timed in CPU seconds, and the self time of every function is summed by the
area its file belongs to (Markdown, Jinja and the templates, Pelican's reading and writing, each
Condividi module, ...).
"""

from __future__ import annotations

import io
import pstats
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.builds import Bench, child_env

# First match wins: (fragment of the file path, area).
AREAS = (
    ("/templates/", "Jinja (rendering)"),
    ("/markdown/", "Markdown (reading)"),
    ("/pygments/", "Pygments"),
    ("/docutils/", "docutils"),
    ("/jinja2/", "Jinja (rendering)"),
    ("/markupsafe/", "Jinja (rendering)"),
    ("/pelican/readers.py", "Pelican reading"),
    ("/pelican/cache.py", "Pelican cache"),
    ("/pelican/writers.py", "Pelican writing"),
    ("/pelican/generators.py", "Pelican generators"),
    ("/pelican/contents.py", "Pelican content objects"),
    ("/pelican/", "Pelican (other)"),
    ("/feedgenerator/", "Pelican feeds (feedgenerator)"),
    ("/feedgen/", "feedgen"),
    ("/bs4/", "BeautifulSoup"),
    ("/lxml/", "lxml"),
    ("/PIL/", "Pillow"),
    ("/babel/", "Babel"),
    ("/css_inline", "css-inline"),
    ("/unidecode/", "Unidecode (slugs)"),
    ("/dateutil/", "dateutil"),
    ("/rich/", "rich (console)"),
    ("posixpath", "paths and files"),
    ("genericpath", "paths and files"),
    ("/shutil.py", "paths and files"),
    ("/os.py", "paths and files"),
    ("/pathlib.py", "paths and files"),
    ("/re/", "regular expressions"),
    ("/gzip.py", "gzip"),
    ("/pickle", "pickle"),
    ("<frozen importlib", "imports"),
    ("/importlib/", "imports"),
    ("<built-in method builtins.exec>", "imports"),
    ("<built-in method marshal.loads>", "imports"),
)


def area(filename: str, function: str) -> str:
    """Return the area a profiled function belongs to, from its file path and name."""
    if "/condividi/" in filename and "/templates/" not in filename:
        module = filename.rsplit("/condividi/", 1)[1].removesuffix(".py").replace("/", ".")
        return f"condividi.{module.removesuffix('.__init__')}"
    text = filename if filename != "~" else function
    for fragment, name in AREAS:
        if fragment in text:
            return name
    return "Python built-ins" if filename == "~" else "Python standard library and other"


def by_area(stats: pstats.Stats) -> dict[str, float]:
    """Return the self time (seconds) of ``stats`` summed by :func:`area`, largest first.

    The time spent in a built-in function (a regex search, a file read, ``str.join``) goes to
    the area of the function that called it, in proportion to what each caller spent there.
    """
    totals: dict[str, float] = {}
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        self_time, callers = row[2], row[4]
        if filename == "~" and callers:
            for (caller_file, _, caller_function), caller_row in callers.items():
                name = area(caller_file, caller_function)
                totals[name] = totals.get(name, 0.0) + caller_row[2]
            continue
        name = area(filename, function)
        totals[name] = totals.get(name, 0.0) + self_time
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def profile_build(bench: Bench, tool: str, results: Path) -> dict[str, Any]:
    """Build ``bench``'s corpus with ``tool`` under cProfile; return time by area and top calls.

    The build uses the caches of the measured full builds (``cache-<tool>``: the social cards
    are warm, as in the target; Pelican's content cache stays off), so the profile shows what
    the timed builds spend. The full listing (top 40 functions by cumulative and by self time)
    is saved in ``results``.
    """
    work = bench.work / f"profile-{tool}"
    work.mkdir(parents=True, exist_ok=True)
    cache = bench.work / f"cache-{tool}"
    data = work / "build.prof"
    args, _ = bench.command(tool, "profile", work / "output", cache)
    # CPU time, not wall time: on a shared machine, waiting for a core is not the build's cost.
    script = (
        "import cProfile, sys, time; from bench.child import main; "
        "profiler = cProfile.Profile(time.process_time); "
        "status = profiler.runcall(main, sys.argv[2:]); "
        "profiler.dump_stats(sys.argv[1]); sys.exit(status)"
    )
    command = [sys.executable, "-c", script, str(data), *args, str(work / "report.json")]
    log = work / "build.log"
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(command, cwd=cache, env=child_env(), stdout=out, stderr=out, check=True)
    stats = pstats.Stats(str(data))
    total = stats.total_tt  # type: ignore[attr-defined]
    listing = io.StringIO()
    stats.stream = listing  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(40)
    (results / f"profile-{tool}.txt").write_text(listing.getvalue(), encoding="utf-8")
    areas = by_area(stats)
    return {
        "total_seconds": total,
        "seconds_by_area": {name: round(seconds, 3) for name, seconds in areas.items()},
        "listing": str(results / f"profile-{tool}.txt"),
    }
