"""The nginx includes in a real nginx (Debian's), on a free port of 127.0.0.1."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from condividi.migrate.redirect_hosts import nginx_includes
from condividi.migrate.redirect_plan import PlannedRedirect
from condividi.services import free_port
from tests.redirects_support import ENGLISH, ESSAY, LONG_OLD_PATH, RedirectedSite

pytestmark = pytest.mark.nginx


def nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    pytest.fail("no nginx: run scripts/setup-system.sh (make test does)")


def nginx_conf(folder: Path, includes: Path, root: Path, port: int) -> Path:
    """Write an nginx.conf serving ``root`` with the site's includes, all files in ``folder``."""
    conf = folder / "nginx.conf"
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    conf.write_text(
        f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
    uwsgi_temp_path {temp}; scgi_temp_path {temp};
    include {includes}/http.conf;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        include {includes}/server.conf;
    }}
}}
""",
        encoding="utf-8",
    )
    return conf


def check(conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx(), "-t", "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "e.log")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture(scope="module")
def server(
    redirected_site: RedirectedSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    """nginx serving the published site with its redirect includes; yields its port."""
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    includes = redirected_site.project / "var" / "redirects"
    conf = nginx_conf(folder, includes, redirected_site.output, port)
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


def get(port: int, target: str) -> tuple[int, str | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("request_target", "status", "location"),
    [
        ("/2013/05/perche-le-aziende/", 301, ESSAY),
        ("/2013/05/perche-le-aziende/?utm_source=x", 301, f"{ESSAY}?utm_source=x"),
        ("/2014/01/perch%C3%A9-no/", 308, ENGLISH),
        ("/2014/01/perch%c3%a9-no/", 308, ENGLISH),
        ("/?p=123", 301, ESSAY),  # a chain, published as one hop
        ("/?utm_source=x&p=123", 301, ESSAY),
        ("/?page_id=7", 301, "/chi-sono/"),
        ("/?cat=3", 302, "/categoria/social-media/"),
        ("/index.php?p=5", 302, "/chi-sono/"),
        ("/vecchio.html", 307, "/chi-sono/"),
        (LONG_OLD_PATH, 301, ESSAY),
        ("/category/social/", 301, "/categoria/social-media/"),
        ("/feed/", 301, "/feeds/atom.xml"),
        ("/comments/feed/", 302, "/feeds/atom.xml"),
    ],
)
def test_old_addresses_redirect(
    server: int, redirected_site: RedirectedSite, request_target: str, status: int, location: str
) -> None:
    assert get(server, request_target) == (status, redirected_site.server.url + location)


@pytest.mark.parametrize("request_target", ["/", "/?p=999", "/?page=7", ESSAY, "/chi-sono/"])
def test_everything_else_is_served_as_it_is(server: int, request_target: str) -> None:
    assert get(server, request_target) == (200, None)


def test_a_large_map_with_long_paths_loads(tmp_path: Path) -> None:
    redirects = [PlannedRedirect(f"/{n}/", "/b/", 301, "m:1") for n in range(5000)]
    redirects += [PlannedRedirect("/" + "perch%C3%A9-" * 40 + "/", "/b/", 302, "m:2")]
    redirects += [PlannedRedirect(f"/?p={n}", "/b/", 301, "m:3") for n in range(3000)]
    includes, _ = nginx_includes(redirects, "https://blog.example.org", "m")
    folder = tmp_path / "includes"
    folder.mkdir()
    (folder / "http.conf").write_text(includes.http, encoding="utf-8")
    (folder / "server.conf").write_text(includes.server, encoding="utf-8")
    tested = check(nginx_conf(tmp_path, folder, tmp_path, free_port()))
    assert tested.returncode == 0, tested.stderr
