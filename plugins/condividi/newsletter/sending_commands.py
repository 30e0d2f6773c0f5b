"""``python -m condividi newsletter preview|status|init|send|resolve``: the send step.

Each command reads the send ledger; all but ``resolve`` also read what the last publish build
recorded (the editions manifest). ``make newsletter``, ``make newsletter-init`` and
``make newsletter-send`` build the site first and then run one of them.
``NEWSLETTER_PROVIDER``, ``NEWSLETTER_API_KEY`` and ``NEWSLETTER_API_URL`` from the
environment override the settings.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig, newsletter_config, resolve_paths
from condividi.newsletter.edition import Manifest, ManifestError, editions_folder, read_manifest
from condividi.newsletter.ledger import Ledger, LedgerError, LedgerMissing
from condividi.newsletter.providers import create_provider
from condividi.newsletter.send import init_archive, needs_delivery, resolve, send_new


@dataclass(frozen=True)
class SendContext:
    """What every send command needs: the settings, the manifest, the ledger and editions paths."""

    config: NewsletterConfig
    manifest: Manifest
    ledger_path: Path
    editions_folder: Path


def load_newsletter_config(settings_file: Path) -> tuple[dict[str, Any], NewsletterConfig]:
    """Return the Pelican settings of ``settings_file`` and their newsletter configuration.

    The configuration's relative paths (the ledger's among them) are resolved from the project
    folder, as the build resolves them.
    """
    from condividi.build import load_settings

    settings = load_settings(settings_file)
    return settings, resolve_paths(newsletter_config(settings), settings)


def load_context(settings_file: Path) -> SendContext:
    """Read the settings, then the manifest of the last publish build (tags for the provider)."""
    settings, config = load_newsletter_config(settings_file)
    folder = editions_folder(settings)
    manifest = read_manifest(folder, config.provider)
    return SendContext(config, manifest, Path(config.ledger_path), folder)


def post_states(context: SendContext, ledger: Ledger | None) -> list[tuple[str, str, str]]:
    """Return ``(state, key or slug, title)`` for every post, oldest edition first.

    States: ``new`` (would be sent), ``sent``, ``sending`` (interrupted: reconciled first),
    ``skipped`` (recorded by ``init`` as the archive, or kept out with ``Newsletter: no``), and
    for posts with no edition ``draft``, ``future``, ``hidden`` or ``translation``.
    """
    rows: list[tuple[str, str, str]] = []
    entries = ledger.entries if ledger else {}
    for record in context.manifest.editions:
        entry = entries.get(record.edition.key)
        state = "new" if entry is None else {"archived": "skipped"}.get(entry.state, entry.state)
        if state == "new" and not record.newsletter:
            state = "skipped"
        rows.append((state, record.edition.key, record.edition.subject))
    rows.extend((post.state, post.slug, post.title) for post in context.manifest.withheld)
    return rows


def skip_reason(context: SendContext, ledger: Ledger | None, key: str) -> str:
    """Return why the edition ``key`` is not mailed, for ``status`` (``""`` when it is, or
    when it is not an edition): the archive, or ``Newsletter: no`` in its file."""
    record = next((r for r in context.manifest.editions if r.edition.key == key), None)
    entry = ledger.entries.get(key) if ledger else None
    if record is None:
        return ""
    if entry is not None and entry.state == "archived":
        return "recorded as the archive by `newsletter init`"
    if not record.newsletter:
        return f"Newsletter: no in {record.source or 'its front matter'}"
    if entry is not None and entry.state == "skipped":
        return "it said Newsletter: no when the ledger recorded it"
    return ""


def _print_states(context: SendContext, ledger: Ledger | None) -> None:
    for state, key, title in post_states(context, ledger):
        reason = skip_reason(context, ledger, key) if state == "skipped" else ""
        print(f"  {state:<11} {title}  [{key}]" + (f"  ({reason})" if reason else ""))


def _load_ledger_or_none(path: Path) -> Ledger | None:
    try:
        return Ledger.load(path)
    except LedgerMissing:
        return None


NO_LEDGER = (
    "no send ledger at {path}: this blog has never sent a newsletter from here. Run "
    "`make newsletter-init` to record the {count} published posts as already sent (nothing "
    "is mailed), then `make newsletter-send` after your next post."
)


def _report_status(context: SendContext, ledger: Ledger | None) -> None:
    provider, siteurl = context.config.provider, context.manifest.siteurl
    print(f"condividi: newsletter via {provider}, editions of {siteurl}")
    _print_states(context, ledger)
    if ledger is None:
        count = len(context.manifest.editions)
        print("condividi: " + NO_LEDGER.format(path=context.ledger_path, count=count))


def _cmd_status(args: argparse.Namespace) -> int:
    context = load_context(Path(args.settings))
    _report_status(context, _load_ledger_or_none(context.ledger_path))
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    context = load_context(Path(args.settings))
    ledger = _load_ledger_or_none(context.ledger_path)
    _report_status(context, ledger)
    if ledger is None:
        return 0
    new = [
        r for r in context.manifest.editions if r.rendered and r.edition.key not in ledger.entries
    ]
    kept_out = [
        r
        for r in context.manifest.editions
        if not r.newsletter and r.edition.key not in ledger.entries
    ]
    if kept_out:
        print(
            f"condividi: {len(kept_out)} new post(s) say Newsletter: no: a send records them as "
            "skipped and mails nothing for them."
        )
    if not new:
        print("condividi: nothing new to send.")
        return 0
    folder = context.editions_folder
    print(f"condividi: `make newsletter-send` would send {len(new)} edition(s):")
    for record in new:
        size = len(record.edition.html.encode("utf-8"))
        cut = ", cut with a 'continue reading' link" if record.truncated else ""
        print(f"  {record.edition.subject}: {size:,} bytes of HTML{cut}")
        print(f"    {folder / record.edition.lang / (record.slug + '.html')}")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    context = load_context(Path(args.settings))
    editions = [record.edition for record in context.manifest.editions]
    ledger = init_archive(editions, context.ledger_path)
    print(
        f"condividi: recorded {len(ledger.entries)} published post(s) in {context.ledger_path} "
        "without sending them. Commit that file; from now on `make newsletter-send` mails only "
        "new posts."
    )
    return 0


def _cmd_send(args: argparse.Namespace) -> int:
    context = load_context(Path(args.settings))
    try:
        ledger = Ledger.load(context.ledger_path)
    except LedgerMissing:
        count = len(context.manifest.editions)
        print(
            "condividi: " + NO_LEDGER.format(path=context.ledger_path, count=count), file=sys.stderr
        )
        return 2
    # Posts kept out with `Newsletter: no` are never rendered: they are recorded as skipped.
    opted_out = {r.edition.key for r in context.manifest.editions if not r.newsletter}
    missing = [
        r.edition.key
        for r in context.manifest.editions
        if not r.rendered and r.newsletter and needs_delivery(ledger, r.edition.key)
    ]
    if missing:
        print(
            f"condividi: {len(missing)} edition(s) the ledger has not settled were not rendered "
            f"by the last build ({missing[0]}, ...): build again (`make newsletter-send` does).",
            file=sys.stderr,
        )
        return 2
    editions = [r.edition for r in context.manifest.editions if r.rendered or not r.newsletter]
    new = [e for e in editions if e.key not in ledger.entries and e.key not in opted_out]
    if len(new) > context.config.max_new and not args.allow_many:
        print(
            f"condividi: {len(new)} editions are new to the ledger, more than "
            f"NEWSLETTER_MAX_NEW = {context.config.max_new}: nothing was sent. If the feed ids "
            "changed (FEEDS_ID_AUTHORITY, FEEDS_ID_DATE, slugs), restore them; if you really "
            "mean to send them all, run again with --allow-many.",
            file=sys.stderr,
        )
        return 2
    provider = create_provider(context.config)
    report = send_new(
        editions,
        provider,
        ledger,
        progress=lambda line: print(f"  {line}", flush=True),
        skip=opted_out,
    )
    skipped = f"{len(report.skipped)} skipped (Newsletter: no), " if report.skipped else ""
    print(
        f"condividi: {len(report.sent)} sent, {skipped}{len(report.reconciled)} confirmed from "
        f"an earlier run, {len(report.already_done)} already recorded."
    )
    if report.error is not None:
        print(
            f"condividi: stopped at {report.failed_key}: {report.error}\n"
            "condividi: the ledger records what was sent; run the command again to go on "
            "(an interrupted edition is checked with the provider first, never sent twice).",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_resolve(args: argparse.Namespace) -> int:
    # Settling a delivery by hand needs the ledger only, not a build's manifest.
    _, config = load_newsletter_config(Path(args.settings))
    resolve(Ledger.load(Path(config.ledger_path)), args.key, sent=args.sent)
    outcome = "recorded as sent" if args.sent else "will be sent again by the next run"
    print(f"condividi: {args.key} {outcome}.")
    return 0


def _guarded(handler):  # type: ignore[no-untyped-def]
    """Turn the send step's expected errors into a message naming the file or setting."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except (ConfigError, ManifestError, LedgerError) as error:
            print(f"condividi: {error}", file=sys.stderr)
            return 2

    return run


def add_subcommands(subcommands: argparse._SubParsersAction) -> None:
    """Add ``preview``, ``status``, ``init``, ``send`` and ``resolve`` under ``newsletter``."""
    for name, handler, help_text in [
        ("preview", _cmd_preview, "dry run: each post's state and what a send would mail"),
        ("status", _cmd_status, "each post's state in the send ledger"),
        ("init", _cmd_init, "record the published archive as sent, without sending it"),
        ("send", _cmd_send, "deliver each new edition through the provider, exactly once"),
    ]:
        command = subcommands.add_parser(name, help=help_text)
        command.add_argument("--settings", "-s", default="publishconf.py")
        command.set_defaults(handler=_guarded(handler), allow_many=False)
        if name == "send":
            command.add_argument(
                "--allow-many", action="store_true", help="send more than NEWSLETTER_MAX_NEW"
            )
    resolve_cmd = subcommands.add_parser(
        "resolve", help="settle an interrupted delivery the provider cannot be asked about"
    )
    resolve_cmd.add_argument("key", help="the edition's key, as `status` shows it")
    outcome = resolve_cmd.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--sent", action="store_true", help="it went out: record it")
    outcome.add_argument("--retry", action="store_true", help="it did not: send it again")
    resolve_cmd.add_argument("--settings", "-s", default="publishconf.py")
    resolve_cmd.set_defaults(handler=_guarded(_cmd_resolve))
