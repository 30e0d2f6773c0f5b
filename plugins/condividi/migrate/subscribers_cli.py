"""``python -m condividi import subscribers FILE``: a subscriber export into the newsletter's list.

The ``import`` command group registers it with :func:`add_command`; ``make import-subscribers
CSV=file.csv`` runs it. Subscribers go to the list newsletters are sent to: the provider of
``publishconf.py`` (the settings ``make newsletter-send`` uses), with ``NEWSLETTER_PROVIDER``,
``NEWSLETTER_API_KEY`` and ``NEWSLETTER_API_URL`` from the environment; out of the box that is
the local provider. The first line of output says which.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from condividi.config import ConfigError, project_root
from condividi.migrate.subscriber_import import (
    ImportOptions,
    ImportReport,
    import_id,
    run_import,
)
from condividi.migrate.subscriber_journal import SETTLED, Journal, JournalError, journal_folder
from condividi.migrate.subscribers import (
    DATE_FORMATS,
    ExportError,
    ImportPlan,
    plan_import,
    read_export,
)
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.ledger import LedgerBusy, locked
from condividi.newsletter.providers import adapter_class, create_provider

DESCRIPTION = """Import a FeedBurner, Mailchimp or Substack subscriber export (CSV) into the
newsletter's list. By default every address is mailed a confirmation request and counts as
pending until the reader confirms. --confirmed imports them as confirmed, with no mail, and
requires --consent-note saying how they consented. An interrupted import resumes where it
stopped when run again, without mailing anyone twice."""


class UsageError(ValueError):
    """The options contradict each other or miss a required value."""


def add_command(kinds: argparse._SubParsersAction) -> None:
    """Add the ``subscribers`` kind to the ``import`` command group's ``kinds``."""
    command = kinds.add_parser(
        "subscribers",
        help="a FeedBurner, Mailchimp or Substack subscriber export into the newsletter list",
        description=DESCRIPTION,
    )
    command.add_argument("file", help="the CSV file the old service exported")
    command.add_argument(
        "--confirmed",
        action="store_true",
        help="import as confirmed, without a confirmation mail (needs --consent-note)",
    )
    command.add_argument(
        "--consent-note",
        default=None,
        help='how these readers consented, recorded with each ("Subscribed by double opt-in '
        'on FeedBurner, 2009-2021")',
    )
    command.add_argument(
        "--include-unconfirmed",
        action="store_true",
        help="also send a confirmation request to readers who never confirmed at the source",
    )
    command.add_argument(
        "--retry-uncertain",
        action="store_true",
        help="call again the addresses an interrupted run left uncertain",
    )
    command.add_argument(
        "--date-format",
        choices=sorted(DATE_FORMATS),
        default=None,
        help="how the file writes dates of numbers only, when no row tells (01/07/2011: "
        "1 July or 7 January?)",
    )
    command.add_argument(
        "--dry-run", "-n", action="store_true", help="show what would happen; contact nobody"
    )
    command.add_argument(
        "--settings", "-s", default="publishconf.py", help="default: publishconf.py"
    )
    command.set_defaults(handler=_cmd_subscribers)


def check_options(args: argparse.Namespace) -> str | None:
    """Return the consent note the options give (None without --confirmed).

    Raises :class:`UsageError` when --confirmed lacks a note, a note comes without
    --confirmed, or --include-unconfirmed is combined with --confirmed.
    """
    note = (args.consent_note or "").strip()
    if args.confirmed and not note:
        raise UsageError(
            '--confirmed needs --consent-note "...": say how these readers consented (where, '
            "when, by double opt-in or not); it is recorded with each of them"
        )
    if note and not args.confirmed:
        raise UsageError(
            "--consent-note goes with --confirmed: without it every reader confirms by mail, "
            "and that confirmation is the consent record"
        )
    if args.confirmed and args.include_unconfirmed:
        raise UsageError(
            "--include-unconfirmed cannot go with --confirmed: readers who never confirmed "
            "are never imported as confirmed"
        )
    return note or None


def where(config: NewsletterConfig, settings_file: str) -> list[str]:
    """Return the lines saying which list the import goes to and where its mail goes."""
    lines = [f"importing into {config.provider} ({settings_file})"]
    if config.provider == "local":
        lines[0] += f": {config.local_db}"
        if not config.smtp_host:
            lines.append(
                f"confirmation mails go to the outbox folder {config.outbox} "
                "(NEWSLETTER_SMTP_HOST is not set): nobody really receives them"
            )
    elif config.list_id:
        lines[0] += f", list {config.list_id}"
    return lines


def plan_lines(plan: ImportPlan, confirmed: bool) -> list[str]:
    """Return the summary of ``plan``: the format found and the fate of its rows."""
    export = plan.export
    rows = len(plan.candidates) + len(plan.invalid) + len(plan.duplicates) + len(plan.skipped)
    how = (
        "imported as confirmed, without mail"
        if confirmed
        else "mailed a confirmation request, pending until the reader confirms"
    )
    lines = [
        f"{export.path} is a {export.format.label}: {rows} subscriber rows",
        f"{len(plan.candidates)} to import ({how}), {len(plan.invalid)} invalid, "
        f"{len(plan.duplicates)} duplicate, {len(plan.skipped)} skipped",
    ]
    if plan.date_order is not None:
        order = "DD/MM/YYYY" if plan.date_order == "day-first" else "MM/DD/YYYY"
        why = f"as {plan.date_evidence} shows" if plan.date_evidence else "as --date-format says"
        lines.append(f"dates read as {order} throughout, {why}")
    return lines


def detail_lines(plan: ImportPlan) -> list[str]:
    """Return one line per invalid, duplicate and skipped row, under its heading."""
    lines: list[str] = []
    if plan.invalid:
        lines.append(f"invalid ({len(plan.invalid)}):")
        lines.extend(f"  row {i.row} {i.value!r}: {i.reason}" for i in plan.invalid)
    if plan.duplicates:
        lines.append(f"duplicates ({len(plan.duplicates)}):")
        lines.extend(
            f"  row {d.row} {d.email}: the same address as row {d.kept_row}"
            for d in plan.duplicates
        )
    if plan.skipped:
        lines.append(f"skipped ({len(plan.skipped)}):")
        lines.extend(f"  row {s.row} {s.email}: {s.reason}" for s in plan.skipped)
    return lines


OUTCOME_HEADINGS = (
    ("already", "already on the list"),
    ("unsubscribed", "left this list before, not brought back"),
    ("invalid", "refused by the provider as invalid"),
    ("refused", "refused by the provider (tried again next run)"),
    ("failed", "not imported (tried again next run)"),
    ("uncertain", "uncertain, not retried"),
)


def report_lines(report: ImportReport, provider: str) -> list[str]:
    """Return the lines telling what the run did, address by address where it matters."""
    now, before = report.counts(earlier=False), report.counts(earlier=True)
    lines = [
        f"imported into {provider}: {now['pending']} pending (confirmation mailed), "
        f"{now['confirmed']} confirmed"
    ]
    for state, heading in OUTCOME_HEADINGS:
        found = [o for o in report.of(state) if not o.earlier or state == "uncertain"]
        if found:
            lines.append(f"{heading} ({len(found)}):")
            lines.extend(
                f"  row {o.candidate.row} {o.candidate.email}" + (f": {o.detail}" * bool(o.detail))
                for o in found
            )
    if before.total():
        counts = ", ".join(f"{n} {state}" for state, n in sorted(before.items()))
        lines.append(f"settled by an earlier run: {before.total()} ({counts})")
    left = report.of(None, "started")
    if left:
        lines.append(f"not imported yet: {len(left)}")
    return lines


def _journal_header(plan: ImportPlan, config: NewsletterConfig, options: ImportOptions) -> dict:
    return {
        "import_id": options.import_id,
        "file": str(plan.export.path.resolve()),
        "format": plan.export.format.key,
        "provider": config.provider,
        "list": config.list_id or (config.local_db if config.provider == "local" else None),
        "mode": "confirmed" if options.confirmed else "reconfirm",
        "consent_note": options.consent_note,
    }


def _say(lines: list[str], stream: Any = None) -> None:
    for line in lines:
        print(f"condividi: {line}" if not line.startswith("  ") else line, file=stream)


def _progress_bar(total: int) -> tuple[Any, Callable[[int, int, str | None], None]]:
    """Return a rich progress bar (shown on a terminal only) and the callback that moves it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task("importing", total=total)

    def progress(done: int, total: int, note: str | None) -> None:
        bar.update(task, completed=done)
        if note:
            console.print(f"condividi: {note}", markup=False, highlight=False, soft_wrap=True)

    return bar, progress


def _cmd_subscribers(args: argparse.Namespace) -> int:
    from condividi.newsletter.sending_commands import load_newsletter_config

    try:
        note = check_options(args)
        if not Path(args.settings).is_file():
            raise ConfigError(f"no settings file {args.settings}: run from the project folder")
        settings, config = load_newsletter_config(Path(args.settings))
        _say(where(config, args.settings))
        plan = plan_import(
            read_export(Path(args.file)),
            confirmed=args.confirmed,
            include_unconfirmed=args.include_unconfirmed,
            date_order=DATE_FORMATS[args.date_format] if args.date_format else None,
        )
        adapter = adapter_class(config.provider)
        if args.confirmed and adapter.consent_record is None:
            raise UsageError(
                f"--confirmed is not available with {config.provider}: "
                f"{adapter.consent_record_missing}, so the consent note would be lost. Import "
                "without --confirmed (each reader confirms by mail), or with the provider's own "
                "importer, which records your statement of consent"
            )
        options = ImportOptions(
            import_id=import_id(plan, config, args.confirmed),
            confirmed=args.confirmed,
            consent_note=note,
            lang=str(settings.get("DEFAULT_LANG") or "it"),
            retry_uncertain=args.retry_uncertain,
            max_wait=config.max_retry_after,
        )
        journal_path = journal_folder(project_root(settings)) / f"{options.import_id}.jsonl"
        header = _journal_header(plan, config, options)
        _say(plan_lines(plan, args.confirmed))
        if args.confirmed:
            _say([f"consent note, kept in {adapter.consent_record}: {note}"])
        if args.dry_run:
            return _dry_run(plan, Journal.read(journal_path, header))
        if not plan.candidates:
            _say([*detail_lines(plan), "nothing to import: no provider was contacted"])
            return 0
        # An import always asks each reader to confirm, whatever the site's signup does; a
        # confirmed one never does.
        provider = create_provider(dataclasses.replace(config, double_opt_in=not args.confirmed))
        try:
            with locked(journal_path), Journal.open(journal_path, header) as journal:
                bar, progress = _progress_bar(len(plan.candidates))
                with bar:
                    report = run_import(plan, provider, journal, options, progress)
        except LedgerBusy:
            raise UsageError(
                f"another run of this import is under way (it holds the lock of {journal_path})"
            ) from None
    except (UsageError, ConfigError, ExportError, JournalError) as error:
        print(f"condividi: {error}", file=sys.stderr)
        return 2
    _say(report_lines(report, config.provider))
    _say(detail_lines(plan))
    _say(
        [
            f"journal: {journal_path} (email addresses: personal data, kept out of git and "
            "output/; delete it once the import is finished)"
        ]
    )
    if report.interrupted:
        _say(["interrupted: run the same command again to go on"], sys.stderr)
        return 130
    if report.error is not None:
        _say(
            [
                f"stopped: {report.error}",
                "the journal records what was done: run the same command again to go on "
                "(nobody is mailed twice)",
            ],
            sys.stderr,
        )
        return 1
    return 0 if report.finished else 1


def _dry_run(plan: ImportPlan, journal: Journal) -> int:
    """Print what a run would do, from the plan and the journal as it is; contact nobody."""
    states = Counter(journal.state(c.email) for c in plan.candidates)
    settled = sum(n for state, n in states.items() if state in SETTLED)
    _say(detail_lines(plan))
    if settled:
        _say([f"{settled} of them were settled by an earlier run of this import"])
    if states["started"] or states["uncertain"]:
        _say(
            [
                f"{states['started']} stopped mid-call and {states['uncertain']} uncertain: a "
                "run settles them first (see docs/subscribers.md, Resuming)"
            ]
        )
    _say(["dry run: no provider was contacted and nothing was written"])
    return 0
