"""``python -m condividi import <kind> ...``: moving a blog in, one command per source.

``import wordpress FILE`` brings a WordPress export's posts, pages, media and comments. Each
kind is added by a function in :data:`KINDS` that takes the ``import`` group's subparsers;
``import subscribers FILE`` brings a FeedBurner, Mailchimp or Substack subscriber list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from condividi.config import ConfigError
from condividi.migrate import subscribers_cli, wordpress
from condividi.migrate.redirect_map import RedirectError
from condividi.migrate.wxr import Item, WxrError

# Show a progress bar only when converting at least this many posts and pages on a terminal.
PROGRESS_FROM = 20


class ProgressBar:
    """A rich progress bar on stderr while the posts convert; gone before the report prints."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.bar = None
        self.task = None

    def start(self, total: int) -> None:
        """Show the bar when ``total`` items are many enough and stderr is a terminal."""
        if total < PROGRESS_FROM or not self.stream.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=self.stream),
            transient=True,  # erased when done: the report that follows stays clean
        )
        self.task = self.bar.add_task("Converting", total=total)
        self.bar.start()

    def advance(self, item: Item) -> None:
        """Count one more item converted."""
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"Converting {item.type} {item.id}")

    def stop(self) -> None:
        """Erase the bar."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def format_report(report: wordpress.ImportReport) -> str:
    """Return the import report the command prints: counts, then what needs the author."""
    would = report.dry_run
    lines = [
        f"condividi: WordPress export {report.source}"
        + (" (dry run: nothing was written)" if would else "")
    ]
    for kind, name in (("article", "posts"), ("page", "pages")):
        files = [entry for entry in report.files if entry.kind == kind]
        if not files:
            continue
        states = {
            state: sum(1 for entry in files if entry.state == state)
            for state in (wordpress.NEW, wordpress.UNCHANGED, wordpress.REPLACED)
        }
        drafts = sum(1 for entry in files if entry.status == "draft")
        verb = "to import" if would else "imported"
        lines.append(
            f"  {name}: {states['new']} {verb}, {states['unchanged']} unchanged, "
            f"{states['replaced']} replaced" + (f" ({drafts} as drafts)" if drafts else "")
        )
    existing = [entry for entry in report.files if entry.state == wordpress.EXISTS]
    if existing:
        lines.append("Not overwritten (the file differs from the import; --force replaces it):")
        lines += [f"  {entry.path}" for entry in existing]
    if report.skipped:
        lines.append("Skipped:")
        for skip in report.skipped:
            lines.append(f"  {'ERROR ' if skip.error else ''}{skip.item}: {skip.reason}")
    noted = [entry for entry in report.files if entry.notes]
    if noted:
        lines.append("To check:")
        for entry in noted:
            lines.append(f"  {entry.item.describe()} -> {entry.path.name}")
            lines += [f"    - {note}" for note in entry.notes]
    if report.shortcodes_left:
        left = ", ".join(
            f"[{name}] x{count}" for name, count in sorted(report.shortcodes_left.items())
        )
        lines.append(f"Shortcodes left as text (edit them by hand): {left}")
    media = report.media
    if media.copies or media.missing:
        copied = "to copy" if would else "copied"
        lines.append(
            f"Media: {len(media.copies)} {copied} into {report.content}/{media.folder}/, "
            f"{len(media.missing)} missing"
        )
    if media.refused:
        lines.append("  Not read (nothing is read from outside the uploads folder):")
        lines += [f"    {url}: {why}" for url, why in media.refused.items()]
    if len(media.missing) > len(media.refused):
        where = report.missing_list
        lines.append(
            "  Missing media keep their WordPress address. "
            + (
                f"Their list is in {where}: download them with\n"
                f"    wget -x -nH --cut-dirs=2 -P uploads -i {where}\n"
                "  then import again with --uploads uploads --force."
                if where and not would
                else "Their addresses:"
            )
        )
        if would or where is None:
            lines += [f"    {url}" for url in media.missing if url not in media.refused]
    if report.merged is not None:
        verb = "to add" if would else "added"
        lines.append(
            f"Redirects: {len(report.merged.added)} {verb} to {report.redirects_path}, "
            f"{len(report.merged.unchanged)} already there"
        )
        if report.waiting:
            lines.append("  Waiting (each build leaves them out until their target is published):")
            lines += [
                f"    {redirect.source} -> {redirect.target}: {why}"
                for redirect, why in report.waiting
            ]
        for kept, new in report.merged.conflicts:
            lines.append(
                f"  CONFLICT {new.source}: the map sends it to {kept.target} (kept), "
                f"the import would send it to {new.target}"
            )
    if report.other_types:
        others = ", ".join(f"{kind} x{count}" for kind, count in sorted(report.other_types.items()))
        lines.append(f"Not imported (not posts or pages): {others}")
    lines += _comments_lines(report)
    return "\n".join(lines)


def _comments_lines(report: wordpress.ImportReport) -> list[str]:
    if report.comments_note:
        return [f"Comments: {report.comments_note}"]
    plan = report.comments
    if plan is None:
        return []
    verb = "would go" if report.dry_run else "went"
    lines = [
        f"Comments: {_plural(plan.comments, 'approved comment', 'approved comments')} {verb} "
        f"to {_plural(len(plan.threads), 'post', 'posts')} in Isso"
    ]
    if plan.dropped:
        lines.append(
            f"  left out {plan.dropped} pending, spam or trashed comments, pingbacks and trackbacks"
        )
    if plan.already:
        lines.append(f"  {len(plan.already)} posts already had comments in Isso: left as they were")
    if plan.held:
        lines.append("  held back (never published with their post):")
        lines += [f"    {post}" for post in plan.held]
    if plan.unmatched:
        lines.append("  not imported (no post or page with comments here: skipped items):")
        lines += [f"    {post}" for post in plan.unmatched]
    if report.comments_status != 0:
        lines.append(f"  ERROR: isso import failed with status {report.comments_status}")
        lines += [f"    {line}" for line in report.comments_output.splitlines()[-20:]]
    return lines


def _cmd_wordpress(args: argparse.Namespace) -> int:
    options = wordpress.Options(
        uploads=Path(args.uploads) if args.uploads else None,
        force=args.force,
        dry_run=args.dry_run,
        comments=not args.no_comments,
    )
    if options.uploads is not None and not options.uploads.is_dir():
        print(f"condividi: --uploads {options.uploads}: no such folder", file=sys.stderr)
        return 1
    bar = ProgressBar()
    try:
        report = wordpress.plan_import(Path(args.settings), Path(args.wxr), options, bar)
    except (WxrError, ConfigError, RedirectError, FileNotFoundError) as error:
        print(f"condividi: {error}", file=sys.stderr)
        print("condividi: nothing was imported.", file=sys.stderr)
        return 1
    finally:
        bar.stop()
    try:
        wordpress.write_import(report)
    except OSError as error:
        print(format_report(report))
        print(f"condividi: writing stopped: {error}", file=sys.stderr)
        print("condividi: what was written is complete; run the import again.", file=sys.stderr)
        return 1
    print(format_report(report))
    return 1 if report.failed else 0


def add_wordpress(kinds: argparse._SubParsersAction) -> None:
    """Add ``import wordpress``."""
    parser = kinds.add_parser(
        "wordpress",
        help="a WordPress export's posts, pages, media and comments",
        description="Import a WordPress export (Tools > Export): posts and pages become "
        "Markdown in content/, media are copied from the uploads folder, old addresses go to "
        "the redirect map and approved comments to Isso.",
    )
    parser.add_argument("wxr", help="the export file (WXR) from WordPress's Tools > Export")
    parser.add_argument("--uploads", help="the blog's wp-content/uploads folder, to copy media")
    parser.add_argument("--dry-run", "-n", action="store_true", help="write nothing, report")
    parser.add_argument("--force", action="store_true", help="replace files that differ")
    parser.add_argument("--no-comments", action="store_true", help="leave the comments out")
    parser.add_argument("--settings", "-s", default="pelicanconf.py")
    parser.set_defaults(handler=_cmd_wordpress)


# Each adds one kind of import to the ``import`` group (its subparsers).
KINDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_wordpress,
    subscribers_cli.add_command,
]


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``import`` and its kinds (:data:`KINDS`) to the command line's subparsers."""
    parser = commands.add_parser("import", help="move a blog in: WordPress, subscribers")
    kinds = parser.add_subparsers(dest="import_kind", required=True)
    for add in KINDS:
        add(kinds)
