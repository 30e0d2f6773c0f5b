"""Search fixtures: the sample site published and served under the CSP search needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import StaticServer, free_port, published_copy, strict_csp

# The strict CSP plus the one thing Pagefind needs: compiling its WebAssembly
# ('wasm-unsafe-eval' allows WebAssembly only, never eval or inline scripts).
SEARCH_CSP = strict_csp().replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The sample site, built with publishconf.py and served on 127.0.0.1 with SEARCH_CSP."""
    port = free_port()
    _, output = published_copy(tmp_path_factory.mktemp("search"), port)
    with StaticServer(output, port, csp=SEARCH_CSP) as server:
        yield server
