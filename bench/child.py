"""One build in its own process, so the benchmark can time it and read its peak memory.

``python -m bench.child condividi SETTINGS OUTPUT OVERRIDES.json REPORT.json`` runs
:func:`condividi.build.build_site`, which is what ``make publish`` runs; ``python -m bench.child
pelican SETTINGS OUTPUT REPORT.json`` runs the ``pelican`` command line. The report records the
time spent inside the process and, for Condividi, the time spent swapping the new output into
place and the time of the search step (documents and Pagefind index).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def _timed(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    return wrapper


def build_condividi(settings: Path, output: Path, overrides: dict[str, Any]) -> dict[str, float]:
    """Build like ``make publish``; return the seconds in the build, the output swap and search."""
    from condividi import build
    from condividi.search import plugin as search

    swaps: list[float] = []
    searching: list[float] = []
    build.swap_into_place = _timed(build.swap_into_place, swaps)
    # The search step, once the build succeeded: the documents, then Pagefind's index.
    search.on_build_succeeded = _timed(search.on_build_succeeded, searching)
    start = time.perf_counter()
    build.build_site(settings, output, overrides)
    return {
        "in_process_seconds": time.perf_counter() - start,
        "swap_seconds": sum(swaps),
        "search_seconds": sum(searching),
    }


def build_pelican(settings: Path, output: Path) -> dict[str, float]:
    """Build with the plain ``pelican`` command line; return the seconds it took."""
    import pelican

    start = time.perf_counter()
    pelican.main(["-s", str(settings), "-o", str(output)])
    return {"in_process_seconds": time.perf_counter() - start}


def main(argv: Sequence[str]) -> int:
    """Run the build ``argv`` describes and write its report; return the exit status."""
    tool, settings, output, *rest = argv
    if tool == "condividi":
        overrides = json.loads(Path(rest[0]).read_text(encoding="utf-8"))
        report = build_condividi(Path(settings), Path(output), overrides)
    elif tool == "pelican":
        report = build_pelican(Path(settings), Path(output))
    else:
        print(f"bench.child: unknown tool {tool!r}", file=sys.stderr)
        return 2
    Path(rest[-1]).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
