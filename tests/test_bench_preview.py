"""The benchmark's preview line: ``make serve`` on a tiny corpus, edited for real.

What is measured is recorded but never asserted against a number.
"""

from __future__ import annotations

from pathlib import Path

from bench import corpus, preview, run
from tests.test_bench_report import make_report


def test_the_preview_is_measured_on_a_served_site(tmp_path: Path) -> None:
    posts = corpus.write_corpus(tmp_path / "corpus", 4)
    sample = run.sample_post(posts)
    measured = preview.measure(
        tmp_path / "work", 4, corpus.DEFAULT_SEED, sample, edits=2, services=False, interval=0.5
    )
    assert measured["posts"] == 4 and measured["edits"] == 2
    assert len(measured["latencies_seconds"]) == 2
    assert measured["max_seconds"] >= measured["median_seconds"] > 0
    assert measured["converged_seconds"] > 0
    assert 0 < measured["first_page_seconds"] <= measured["first_build_seconds"]
    assert measured["pelican_first_seconds"] > 0 and len(measured["pelican_full_seconds"]) == 2
    ratios = measured["ratios"]
    assert (
        ratios["save_median"]
        == measured["median_seconds"] / (measured["pelican_full_median_seconds"])
    )
    assert (
        ratios["first_page"] == measured["first_page_seconds"] / (measured["pelican_first_seconds"])
    )
    assert not (tmp_path / "work" / "preview-site").exists()  # the scratch site is removed


def test_the_corpus_of_the_preview_is_in_a_sub_folder_of_the_articles(tmp_path: Path) -> None:
    posts = preview.prepare_site(tmp_path / "site", 3, corpus.DEFAULT_SEED)
    folder = tmp_path / "site" / "content" / "articles" / "bench"
    assert [post.path.parent for post in posts] == [folder] * 3


def test_the_preview_targets_and_their_table() -> None:
    measured = preview.summarize(
        1000, [0.4, 0.5, 0.6, 0.5, 1.4], 5.0, 4.0, 9.0, [1.5], 16.0, [10.0, 12.0]
    )
    assert measured["ratios"] == {
        "save_median": 0.5 / 11.0,
        "save_max": 1.4 / 11.0,
        "first_page": 4.0 / 16.0,
        "converged": 5.0 / 11.0,
    }
    report = make_report(preview=measured)
    targets = [t for t in run.evaluate(report) if t["target"].startswith("make serve")]
    assert [t["status"] for t in targets] == ["PASS", "FAIL", "PASS", "PASS"]
    assert targets[0]["detail"].startswith("0.045× (0.50 s against 11.00 s)")
    assert targets[1]["detail"].startswith("0.127× (1.40 s against 11.00 s)")

    slow = make_report(preview=preview.summarize(200, [1.2] * 5, 3.0, 2.0, 3.0, [3.0], 2, [2]))
    line = next(t for t in run.evaluate(slow) if t["target"].startswith("make serve"))
    assert line["status"] == "FAIL" and "measured at 200 posts" in line["detail"]

    skipped = make_report(preview={"not_measured": "skipped (--no-preview)"})
    lines = [t for t in run.evaluate(skipped) if t["target"].startswith("make serve")]
    assert len(lines) == 4 and {t["status"] for t in lines} == {"NOT MEASURED"}

    report["targets"] = run.evaluate(report)
    text = run.markdown(report)
    assert "## Preview (make serve)" in text
    assert (
        "| 1000 | 0.50 s / 1.40 s (0.045× / 0.127×) | 5.00 s (0.45×) | 4.00 s (0.25×) | "
        "9.00 s | 11.00 s / 16.00 s |"
    ) in text
