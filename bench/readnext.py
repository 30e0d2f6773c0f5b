"""The cost of "Leggi anche" (related posts) on the benchmark's corpus.

The related posts of every post are worked out once per build by a pure function; timing that
function on the corpus's posts (median of several runs, in this process) is steadier than the
difference of two whole builds, which varies by more than the few per cent being measured.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from condividi.readnext.similarity import PostText, related_posts


def post_texts(posts: list[Any]) -> list[PostText]:
    """Return the :class:`PostText` of each corpus post, read from its file."""
    texts = []
    for post in posts:
        head = post.path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        summary = next(
            (
                line[len("Summary:") :].strip()
                for line in head.splitlines()
                if line.startswith("Summary:")
            ),
            "",
        )
        texts.append(
            PostText(
                key=str(post.path),
                lang="it",
                title=post.title,
                summary=summary,
                tags=tuple(post.tags),
                category=post.category,
                timestamp=post.date.timestamp(),
            )
        )
    return texts


def measure(
    posts: list[Any], full_build_seconds: float, pelican_seconds: float, runs: int = 5
) -> dict[str, Any]:
    """Return the median seconds of the related posts of ``posts`` and their share of a full
    Condividi build (``full_build_seconds``) and of plain Pelican's (``pelican_seconds``)."""
    texts = post_texts(posts)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        related = related_posts(texts, 3)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    return {
        "posts": len(texts),
        "median_seconds": median,
        "runs": seconds,
        "with_three": sum(1 for keys in related.values() if len(keys) == 3),
        "share_of_build": median / full_build_seconds,
        "ratio_to_pelican": median / pelican_seconds,
        "condividi_build_seconds": full_build_seconds,
        "pelican_build_seconds": pelican_seconds,
    }
