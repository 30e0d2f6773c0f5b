"""WebSub publishing (FeedBurner's PingShot): tell the hub which feeds changed.

Each feed advertises the hub (``FEEDS_WEBSUB_HUB``) with ``rel="hub"``; after the site is
uploaded, ``python -m condividi ping`` (``make ping``) POSTs ``hub.mode=publish`` and
``hub.url=<feed>`` for every feed the build wrote, and the hub pushes the news to subscribers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import requests
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from condividi.feeds.config import FeedsConfig
from condividi.feeds.render import ATOM_NS

# (connect, read) seconds: a hub that hangs must not hang the publishing step.
TIMEOUT = (5.0, 20.0)
_ATOM_LINK = f"{{{ATOM_NS}}}link"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class WebSubError(RuntimeError):
    """The hub could not be notified; the message names each feed, the hub's status and reply."""


def hub_session(retries: int = 2) -> requests.Session:
    """Return a session that retries a publish ping on connection errors, 429 and 5xx.

    A publish notification is idempotent, so repeating a POST is safe; the hub's
    ``Retry-After`` is honoured.
    """
    retry = Retry(
        total=retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"POST"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _feed_links(path: Path) -> dict[str, str]:
    """Return the feed-level ``rel`` → ``href`` links of the Atom or RSS file at ``path``."""
    try:
        root = etree.parse(str(path), _PARSER).getroot()
    except etree.XMLSyntaxError as error:
        raise WebSubError(f"{path} is not a readable feed: {error}") from error
    links = root.findall(_ATOM_LINK) + root.findall(f"channel/{_ATOM_LINK}")
    return {str(link.get("rel")): str(link.get("href")) for link in links}


def published_feeds(output: Path, config: FeedsConfig) -> list[str]:
    """Return the URLs of the feeds the build wrote into ``output``, site-wide ones first.

    Each URL is the feed's own ``rel="self"`` link. Raises :class:`WebSubError` when there is
    no feed, or when a feed does not name ``config.websub_hub`` (it was built before the hub
    was configured: build again).
    """
    patterns = [config.atom_save_as, config.rss_save_as]
    patterns += [
        pattern.replace("{slug}", "*")
        for pattern in (
            config.category_atom_save_as,
            config.category_rss_save_as,
            config.tag_atom_save_as,
            config.tag_rss_save_as,
        )
    ]
    paths: dict[Path, None] = {}
    for pattern in patterns:
        for path in sorted(output.glob(pattern)):
            paths.setdefault(path)
    if not paths:
        raise WebSubError(f"no feed found in {output}: build the site first (make publish)")
    urls, stale = [], []
    for path in paths:
        links = _feed_links(path)
        if links.get("hub") != config.websub_hub or "self" not in links:
            stale.append(str(path.relative_to(output)))
        else:
            urls.append(links["self"])
    if stale:
        raise WebSubError(
            f"these feeds in {output} do not name the hub {config.websub_hub}: "
            f"{', '.join(stale)}; build the site again with FEEDS_WEBSUB_HUB set"
        )
    return urls


def ping(
    hub: str,
    feed_urls: Sequence[str],
    session: requests.Session | None = None,
    timeout: tuple[float, float] = TIMEOUT,
) -> None:
    """Notify ``hub`` that each of ``feed_urls`` changed (``hub.mode=publish``, one POST each).

    Any 2xx reply is an acceptance. Tries every feed, then raises :class:`WebSubError` naming
    each one the hub refused (with its HTTP status and reply) or that could not be sent.
    """
    session = session or hub_session()
    failures: list[str] = []
    for url in feed_urls:
        try:
            response = session.post(
                hub, data={"hub.mode": "publish", "hub.url": url}, timeout=timeout
            )
        except requests.RequestException as error:
            failures.append(f"{url}: could not reach the hub ({type(error).__name__}: {error})")
            continue
        if not 200 <= response.status_code < 300:
            reply = " ".join(response.text.split())[:300] or "(empty reply)"
            failures.append(f"{url}: HTTP {response.status_code} {response.reason}: {reply}")
    if failures:
        raise WebSubError(
            f"the WebSub hub {hub} did not accept {len(failures)} of {len(feed_urls)} "
            "feeds:\n" + "\n".join(f"- {failure}" for failure in failures)
        )
