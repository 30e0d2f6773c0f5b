"""The benchmark's report: email editions, Lighthouse results, profile areas and targets.

The timings themselves are never asserted; these tests feed the report code made-up numbers.
The site Lighthouse measures is served for real, with a real Isso behind it.
"""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bench import edition, lighthouse, profiling, run

EMAIL = '<html><body><table style="width:100%"><tr><td style="color:#111">Ciao</td></tr>'
PAGE = '<html><head><link rel="stylesheet" href="/theme/css/site.css"></head><body>Ciao</body>'


def test_email_editions_are_told_from_site_pages(tmp_path: Path) -> None:
    assert edition.looks_like_edition(EMAIL.encode())
    assert not edition.looks_like_edition(PAGE.encode())
    assert not edition.looks_like_edition(b"<html><body>no inline style</body></html>")
    (tmp_path / "saggio").mkdir()
    (tmp_path / "saggio" / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "anteprima" / "saggio").mkdir(parents=True)
    (tmp_path / "anteprima" / "saggio" / "email.html").write_text(EMAIL, encoding="utf-8")
    (tmp_path / "anteprima" / "altro.eml").write_text("Subject: x\n\nciao\n", encoding="utf-8")
    found = edition.find_editions(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "anteprima/altro.eml",
        "anteprima/saggio/email.html",
    ]
    assert edition.find_editions(tmp_path, "saggio/*.html") == [tmp_path / "saggio/index.html"]

    sizes = edition.edition_sizes(tmp_path, "saggio", ["condividi.newsletter"])
    assert sizes["count"] == 2
    assert sizes["max_bytes"] == len(EMAIL) and sizes["largest"] == "anteprima/saggio/email.html"
    assert sizes["sample"] == "anteprima/saggio/email.html"


def test_missing_editions_say_why(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    no_plugin = edition.edition_sizes(tmp_path, "saggio", ["condividi.theme"])
    assert no_plugin == {
        "not_measured": "no email edition: no newsletter plugin in PLUGINS (condividi.theme), "
        "so nothing renders one"
    }
    no_preview = edition.edition_sizes(tmp_path, "saggio", ["condividi.newsletter"])
    assert no_preview["not_measured"].startswith("condividi.newsletter is in PLUGINS but")


def lighthouse_result(scores: dict[str, float]) -> dict[str, Any]:
    audits = {
        "color-contrast": {"score": 0},
        "document-title": {"score": 1},
        "network-requests": {"details": {"items": [{}, {}, {}]}},
        "total-byte-weight": {"numericValue": 14702.4},
    }
    categories = {
        name: {
            "score": score,
            "auditRefs": [
                {"id": "color-contrast", "weight": 7 if name == "accessibility" else 0},
                {"id": "document-title", "weight": 1},
            ],
        }
        for name, score in scores.items()
    }
    return {"audits": audits, "categories": categories, "lighthouseVersion": "12.2.3"}


def test_lighthouse_summary_names_the_audits_that_lost_points() -> None:
    result = lighthouse.summarize(
        lighthouse_result(
            {"performance": 1, "accessibility": 0.92, "best-practices": 0.96, "seo": 1}
        )
    )
    assert result["scores"] == {
        "performance": 100,
        "accessibility": 92,
        "best-practices": 96,
        "seo": 100,
    }
    assert result["lost_points"]["accessibility"] == ["color-contrast (0)"]
    assert result["lost_points"]["performance"] == []
    assert result["requests"] == 3 and result["transfer_bytes"] == 14702


def test_profile_areas() -> None:
    assert profiling.area("/v/site-packages/markdown/core.py", "convert") == "Markdown (reading)"
    assert profiling.area("/w/plugins/condividi/share/cards.py", "draw") == "condividi.share.cards"
    assert profiling.area("/w/plugins/condividi/feeds/__init__.py", "x") == "condividi.feeds"
    assert profiling.area("/w/theme/templates/base.html", "root") == "Jinja (rendering)"
    assert profiling.area("/v/pelican/themes/notmyidea/templates/base.html", "root") == (
        "Jinja (rendering)"
    )
    assert profiling.area("~", "<method 'search' of 're.Pattern' objects>") == ("Python built-ins")
    assert profiling.area("/usr/lib/python3.11/enum.py", "x") == (
        "Python standard library and other"
    )


def make_report(**changes: Any) -> dict[str, Any]:
    def full(seconds: float) -> dict[str, float]:
        return {"median_seconds": seconds, "median_cpu_seconds": seconds, "ms_per_post": 5.0,
                "median_max_rss_mb": 100.0}  # fmt: skip

    report: dict[str, Any] = {
        "meta": {"date": "2026-11-26T18:00:00+00:00", "cpus": 2, "platform": "Linux",
                 "python": "3.11", "pelican": "4.12.0", "plugins": ["condividi.theme"],
                 "seed": 8, "load_before": [1, 1, 1], "load_after": [1, 1, 1]},
        "headline": "ratio condividi/pelican: 0.85",
        "sample": {"slug": "saggio", "words": 900},
        "builds": {"main": {
            "posts": 1000, "rounds": 3, "ratio": 0.85, "min_ratio": 0.83, "paired_ratio": 0.84,
            "cpu_ratio": 1.05,
            "memory_ratio": 1.2,
            "elapsed_seconds": 60.0, "swap_seconds": {"fresh_output": 0.001}, "max_load": 1.0,
            "warmup": {"condividi": {"seconds": 6.0}, "pelican": {"seconds": 5.0}},
            "full": {"condividi": full(4.25), "pelican": full(5.0)},
            "rebuild": {"condividi": {"median_fraction_of_cold": 0.60,
                                      "fractions_of_cold": [0.62, 0.60, 0.55]},
                        "pelican": {"median_fraction_of_cold": 0.58}},
        }},
        "cards": {"not_measured": "no share plugin in PLUGINS"},
        "weight": {"condividi": {
            "sample": {"html_css_js_bytes": 14000, "html_css_js_gzip_bytes": 4600, "requests": 3,
                       "bytes_by_kind": {"html": 10000, "css": 4000}},
            "heaviest_html_css_js_bytes": 14300, "heaviest_html_css_js_gzip_bytes": 4700,
        }},
        "email": {"not_measured": "no newsletter plugin in PLUGINS"},
        "lighthouse": {"not_measured": "Lighthouse is not installed"},
    }  # fmt: skip
    report.update(changes)
    return report


def test_targets_pass_fail_or_not_measured() -> None:
    results = {t["target"]: (t["status"], t["detail"]) for t in run.evaluate(make_report())}
    statuses = [status for status, _ in results.values()]
    assert statuses == ["PASS", "FAIL", "PASS", "PASS", "NOT MEASURED", "NOT MEASURED"]
    build = results["full build ≤ 0.88× plain Pelican (cards warm)"][1]
    assert build.startswith("0.85× (Condividi 4.25 s, Pelican 5.00 s, median of 3")
    assert "cards not measured: no share plugin" in build
    rebuild = results["cached rebuild after one edit ≤ Pelican's, as a fraction of cold"][1]
    assert rebuild == "Condividi 0.60 of cold (0.55 to 0.62 over 3 rounds), Pelican 0.58"


def test_measured_email_and_lighthouse_are_judged() -> None:
    scores = {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100}
    theirs = {"performance": 100, "accessibility": 92, "best-practices": 96, "seo": 100}
    report = make_report(
        email={"count": 2, "median_bytes": 90_000, "max_bytes": 101_000, "largest": "e/x.html"},
        lighthouse={
            "condividi": {"scores": scores, "lost_points": {}},
            "pelican": {"scores": theirs, "lost_points": {}},
        },
    )
    report["builds"]["main"]["posts"] = 200
    targets = run.evaluate(report)
    assert targets[0]["detail"].endswith(
        "measured at 200 posts, the target is for 1,000; cards not measured: "
        "no share plugin in PLUGINS)"
    )
    assert targets[4]["status"] == "FAIL" and "largest 101.0 KB" in targets[4]["detail"]
    assert targets[5]["status"] == "PASS"
    assert "Pelican's default theme 100 / 92 / 96 / 100" in targets[5]["detail"]


def test_markdown_report_has_the_headline_and_every_target() -> None:
    report = make_report()
    report["targets"] = run.evaluate(report)
    text = run.markdown(report)
    assert "**ratio condividi/pelican: 0.85**" in text
    assert "2 cores" in text
    for target in report["targets"]:
        assert f"| {target['target']} | {target['status']} |" in text


@pytest.mark.isso
def test_the_lighthouse_site_answers_comment_counts_like_production(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("<p>Ciao</p>", encoding="utf-8")
    server = lighthouse.SiteServer(output, comments=tmp_path / "isso")
    with server.running():
        with urllib.request.urlopen(server.url + "/", timeout=10) as page:
            assert page.read() == b"<p>Ciao</p>"
        request = urllib.request.Request(
            server.url + "/isso/count",
            b'["/un-saggio/"]',
            {"Content-Type": "application/json", "Origin": server.url},
        )
        with urllib.request.urlopen(request, timeout=10) as counts:
            assert counts.read() == b"[0]"
            assert counts.headers["Access-Control-Allow-Origin"] == server.url
        with urllib.request.urlopen(server.url + "/isso/js/embed.min.js", timeout=10) as client:
            assert client.headers["Content-Type"].startswith(("text/javascript", "application/"))
    assert (tmp_path / "isso" / "comments.db").is_file()


def test_the_lighthouse_site_gzips_text_as_a_static_host_does(tmp_path: Path) -> None:
    (tmp_path / "saggio").mkdir()
    page = "<p>Ciao, mondo</p>" * 50
    (tmp_path / "saggio" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "foto.png").write_bytes(b"\x89PNG" + bytes(100))
    server = lighthouse.SiteServer(tmp_path)

    def get(path: str, encoding: str) -> tuple[str | None, bytes]:
        request = urllib.request.Request(server.url + path, headers={"Accept-Encoding": encoding})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["Content-Encoding"], response.read()

    with server.running():
        encoding, body = get("/saggio/", "gzip, deflate")
        assert encoding == "gzip" and gzip.decompress(body) == page.encode()
        assert get("/saggio/", "identity") == (None, page.encode())
        assert get("/foto.png", "gzip")[0] is None  # images go as they are
