"""The site's headers for static hosts: the one CSP (unit), ``_headers`` and the nginx
includes (unit and build), the browser under the published CSP, and a real nginx."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from condividi.config import ConfigError
from condividi.headers import policy
from condividi.headers.hosts import headers_for, netlify_headers, nginx_headers, parse_headers_file
from condividi.headers.policy import (
    ASSET_CACHE,
    FEED_CACHE,
    HTML_CACHE,
    IMMUTABLE_CACHE,
    HeadersConfig,
    cache_control,
    cache_rules,
    content_security_policy,
    csp_directives,
    headers_config,
)
from condividi.services import free_port
from tests.conftest import StaticServer
from tests.test_redirects_nginx import check, nginx

SITE = {"SITEURL": "https://blog.example.org", "PATH": "/srv/blog/content"}
SAMPLE_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; "
    "connect-src 'self' https://blog.example.org:8443; "
    "form-action 'self' https://blog.example.org:8443; frame-src 'none'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)
ARTICLE = "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"


def settings(**extra: Any) -> dict[str, Any]:
    return {
        **SITE,
        "COMMENTS_ISSO_URL": "/isso",
        "NEWSLETTER_SIGNUP_URL": "https://blog.example.org/newsletter-api/subscribe",
        **extra,
    }


# Unit: the policy.


def test_the_site_alone_needs_only_self() -> None:
    csp = content_security_policy(settings())
    assert csp == (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-src 'none'; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'self'"
    )
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_an_endpoint_on_another_origin_is_allowed_to_receive_the_form() -> None:
    csp = content_security_policy(
        settings(NEWSLETTER_SIGNUP_URL="https://blog.example.org:8443/subscribe")
    )
    assert csp == SAMPLE_CSP


def test_a_public_provider_form_gets_form_action_only() -> None:
    directives = csp_directives(
        settings(
            NEWSLETTER_PROVIDER="buttondown",
            NEWSLETTER_PUBLIC_FORM=True,
            NEWSLETTER_BUTTONDOWN_USERNAME="giulia",
        )
    )
    assert directives["form-action"] == ("'self'", "https://buttondown.com")
    assert directives["connect-src"] == ("'self'",)


def test_isso_on_its_own_origin_gets_script_style_and_connect() -> None:
    directives = csp_directives(settings(COMMENTS_ISSO_URL="https://comments.example.org"))
    for name in ("script-src", "style-src", "connect-src"):
        sources = ("'self'", "https://comments.example.org")
        if name == "script-src":
            sources = ("'self'", "'wasm-unsafe-eval'", "https://comments.example.org")
        assert directives[name] == sources, name
    assert directives["frame-src"] == ("'none'",)


def test_a_hosted_comment_service_gets_its_frame_and_script() -> None:
    directives = csp_directives(
        settings(
            COMMENTS_PROVIDER="giscus",
            COMMENTS_GISCUS_REPO="giulia/blog",
            COMMENTS_GISCUS_REPO_ID="R_1",
            COMMENTS_GISCUS_CATEGORY="Comments",
            COMMENTS_GISCUS_CATEGORY_ID="DIC_1",
        )
    )
    assert directives["frame-src"] == ("https://giscus.app",)
    assert "https://giscus.app" in directives["script-src"]


def test_a_capability_adds_its_sources_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    # How the search page's Pagefind (WebAssembly) would add what it needs.
    monkeypatch.setattr(policy, "CAPABILITY_SOURCES", {"script-src": ("'wasm-unsafe-eval'",)})
    assert "script-src 'self' 'wasm-unsafe-eval';" in content_security_policy(settings())


def test_extra_sources_come_from_a_setting_and_are_checked() -> None:
    extra = {"img-src": ["https://images.example.org"], "script-src": ["'wasm-unsafe-eval'"]}
    directives = csp_directives(settings(HEADERS_CSP_EXTRA=extra))
    assert directives["img-src"] == ("'self'", "data:", "https://images.example.org")
    assert directives["script-src"] == ("'self'", "'wasm-unsafe-eval'")
    with pytest.raises(ConfigError, match="HEADERS_CSP_EXTRA"):
        csp_directives(settings(HEADERS_CSP_EXTRA={"img-src": "https://x.org"}))
    with pytest.raises(ConfigError, match="HEADERS_CSP_EXTRA"):
        csp_directives(settings(HEADERS_CSP_EXTRA={"img-src": ["x; script-src *"]}))
    with pytest.raises(ConfigError, match="HEADERS_IMMUTABLE_PATHS"):
        headers_config({"HEADERS_IMMUTABLE_PATHS": ["/a/*/b"]})


def test_cache_lifetimes_by_path() -> None:
    rules = cache_rules(HeadersConfig())
    assert cache_control("/", rules) == HTML_CACHE
    assert cache_control(ARTICLE, rules) == HTML_CACHE
    assert cache_control("/feeds/atom.xml", rules) == FEED_CACHE
    assert cache_control("/theme/css/site.css", rules) == ASSET_CACHE
    assert cache_control("/pagefind/fragment/it_3a1f.pf_fragment", rules) == IMMUTABLE_CACHE
    assert cache_rules(HeadersConfig(), "/blog")[0].pattern == "/blog/pagefind/fragment/*"


# Unit: the two formats.


def test_headers_file_round_trips_and_never_sets_cache_control_twice() -> None:
    rules = cache_rules(HeadersConfig())
    text = netlify_headers({"Content-Security-Policy": SAMPLE_CSP}, rules, "")
    parsed = parse_headers_file(text)
    for path in ("/", ARTICLE, "/feeds/rss.xml", "/theme/js/site.js", "/cards/x.png"):
        sent = headers_for(path, parsed)
        assert sent["Content-Security-Policy"] == SAMPLE_CSP, path
        expected = cache_control(path, rules)
        assert sent.get("Cache-Control", HTML_CACHE) == expected, path
    with pytest.raises(ValueError, match="_headers:2"):
        parse_headers_file("/*\n  no colon here\n")


def test_nginx_includes_escape_and_match_prefixes() -> None:
    includes = nginx_headers({"X-Test": 'a "quoted" value'}, cache_rules(HeadersConfig()))
    assert 'add_header X-Test "a \\"quoted\\" value" always;' in includes.server
    assert '"~^/theme/" "public, max-age=86400";' in includes.http
    assert 'default "public, max-age=0, must-revalidate";' in includes.http


# Build: the sample site's published files.


def test_the_published_headers_file_has_the_sites_csp(sample_output: Path) -> None:
    parsed = parse_headers_file((sample_output / "_headers").read_text(encoding="utf-8"))
    csp = headers_for(ARTICLE, parsed)["Content-Security-Policy"]
    # publishconf.py: Isso under /isso (same origin), the signup endpoint's default address.
    assert csp == (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "img-src 'self' data:; "
        "connect-src 'self' http://127.0.0.1:8090; form-action 'self' http://127.0.0.1:8090; "
        "frame-src 'none'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    )
    project = sample_output.parent
    server = (project / "var" / "redirects" / "headers-server.conf").read_text(encoding="utf-8")
    assert f'add_header Content-Security-Policy "{csp}" always;' in server


def test_turning_the_headers_file_off(make_site) -> None:
    assert not (make_site(overrides={"HEADERS_SAVE_AS": ""}) / "_headers").exists()


def test_a_headers_file_of_the_site_is_kept_after_ours(make_site) -> None:
    project = make_site.project
    (project / "content" / "extra").mkdir()
    (project / "content" / "extra" / "_headers").write_text("/privacy/\n  X-Own: yes\n")
    output = make_site(
        overrides={
            "STATIC_PATHS": ["images", "extra/_headers"],
            "EXTRA_PATH_METADATA": {"extra/_headers": {"path": "_headers"}},
        }
    )
    parsed = parse_headers_file((output / "_headers").read_text(encoding="utf-8"))
    assert headers_for("/privacy/", parsed)["X-Own"] == "yes"
    assert "Content-Security-Policy" in headers_for("/privacy/", parsed)


def test_a_bad_headers_setting_stops_the_build(make_site) -> None:
    with pytest.raises(Exception, match="HEADERS_CSP_EXTRA"):
        make_site(overrides={"HEADERS_CSP_EXTRA": {"img-src": "*"}})


# Browser: the pages under the CSP the site publishes.


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", ARTICLE, "/newsletter/", "/iscriviti/"])
def test_pages_run_under_the_published_csp(
    page: Any, served_site: StaticServer, csp_violations: list[str], path: str
) -> None:
    published = parse_headers_file((served_site.directory / "_headers").read_text("utf-8"))
    response = page.goto(served_site.url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    sent = response.headers["content-security-policy"]
    assert sent == headers_for(path, published)["Content-Security-Policy"]
    assert csp_violations == []


# A real nginx with the include.


@pytest.fixture(scope="module")
def nginx_port(sample_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("nginx-headers")
    includes = sample_output.parent / "var" / "redirects"
    port = free_port()
    temp = folder / "temp"
    temp.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    types {{ text/html html; application/xml xml; text/css css; }}
    client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
    uwsgi_temp_path {temp}; scgi_temp_path {temp};
    include {includes}/headers-http.conf;
    server {{
        listen 127.0.0.1:{port};
        root {sample_output};
        include {includes}/headers-server.conf;
    }}
}}
""",
        encoding="utf-8",
    )
    tested = check(conf)
    assert tested.returncode == 0, tested.stderr
    log = (folder / "stderr.log").open("wb")
    process = subprocess.Popen(
        [nginx(), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, (folder / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.mark.nginx
@pytest.mark.parametrize(
    ("path", "status", "cache"),
    [
        ("/", 200, HTML_CACHE),
        (ARTICLE, 200, HTML_CACHE),
        ("/feeds/atom.xml", 200, FEED_CACHE),
        ("/theme/css/site.css", 200, ASSET_CACHE),
        ("/no-such-page/", 404, HTML_CACHE),
    ],
)
def test_nginx_sends_the_same_headers(
    nginx_port: int, sample_output: Path, path: str, status: int, cache: str
) -> None:
    published = parse_headers_file((sample_output / "_headers").read_text("utf-8"))
    connection = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == status
    expected = headers_for(path, published)
    assert response.getheader("Content-Security-Policy") == expected["Content-Security-Policy"]
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.getheader("Cache-Control") == cache
    assert expected.get("Cache-Control", HTML_CACHE) == cache
