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
    measured = preview.measure(tmp_path / "work", 4, corpus.DEFAULT_SEED, sample, edits=2)
    assert measured["posts"] == 4 and measured["edits"] == 2
    assert len(measured["latencies_seconds"]) == len(measured["converged_seconds"]) == 2
    for shown, converged in zip(
        measured["latencies_seconds"], measured["converged_seconds"], strict=True
    ):
        assert 0 < shown <= converged
    assert measured["max_seconds"] >= measured["median_seconds"] > 0
    assert measured["first_build_seconds"] > 0
    assert not (tmp_path / "work" / "preview-site").exists()  # the scratch site is removed


def test_the_preview_target_and_its_table() -> None:
    measured = preview.summarize(
        1000, [0.4, 0.5, 0.6, 0.5, 1.4], [2.0, 2.5, 3.0, 2.4, 4.0], 6.2, [1.5]
    )
    report = make_report(preview=measured)
    targets = run.evaluate(report)
    line = next(t for t in targets if t["target"].startswith("make serve shows a saved edit"))
    assert line["status"] == "PASS"
    assert line["detail"].startswith("median 0.50 s, max 1.40 s over 5 edits; whole site")
    assert "converged in median 2.5 s (max 4.0 s)" in line["detail"]

    slow = make_report(preview=preview.summarize(200, [1.2] * 5, [3.0] * 5, 2.0, [3.0]))
    line = next(t for t in run.evaluate(slow) if t["target"].startswith("make serve"))
    assert line["status"] == "FAIL" and "measured at 200 posts" in line["detail"]

    skipped = make_report(preview={"not_measured": "skipped (--no-preview)"})
    line = next(t for t in run.evaluate(skipped) if t["target"].startswith("make serve"))
    assert line["status"] == "NOT MEASURED"

    report["targets"] = targets
    text = run.markdown(report)
    assert "## Preview (make serve)" in text
    assert "| 1000 | 0.50 s / 1.40 s | 2.50 s / 4.00 s | 6.20 s |" in text
