"""Subscriber exports from FeedBurner, Mailchimp and Substack: reading, detection, the plan.

:func:`read_export` reads a CSV file (UTF-8 with or without a BOM, ``,``, ``;`` or tab, CRLF or
LF, quoted fields) and recognises its source from the header; :func:`plan_import` validates
every row and decides what becomes of it. Nothing here talks to a provider or writes a file.

What each source says, and what we make of it (docs/subscribers.md explains why):

- FeedBurner (``Email, Subscription Date, Status``): ``Active`` readers confirmed by mail;
  ``Unverified`` (or ``Pending``) ones never clicked FeedBurner's link: they are not contacted
  unless asked (``include_unconfirmed``), and never imported as confirmed. Any other status is
  skipped with its value as the reason.
- Mailchimp (``Email Address`` with ``MEMBER_RATING``, ``OPTIN_TIME``, ``CONFIRM_TIME``, ...):
  the audience export is three files. The subscribed one is imported; every row of the
  unsubscribed (``UNSUB_TIME``) and cleaned (``CLEAN_TIME``: the address bounced) files is
  skipped with that reason. A ``Status`` (or ``Email Marketing Status``) column, where an
  export has one, decides per row: ``subscribed`` imports, ``pending`` is unconfirmed, anything
  else is skipped.
- Substack, the list export (``email, active_subscription, expiry, email_disabled,
  created_at``): ``email_disabled`` true means the reader turned the emails off, and
  ``@deletion-request.substack.com`` addresses are readers who asked to be deleted: both are
  skipped. The dashboard export (``Email, Name, Subscription type, Subscription date, ...``)
  lists current subscribers only.

Dates written with numbers only (``14/03/2010``, ``01.07.2011``) are read in one order for the
whole file: day first or month first, decided from the rows where only one order makes sense
(``14/03/2010``), or given by the author (``--date-format``). A file whose rows disagree, or
whose every such date could be read both ways, is refused with the rows that say so: the date
is the consent record kept with each reader, so it must not be a guess.

Every row has a fate: imported, invalid (the address fails the project's validation, or the
row is malformed), a duplicate of an earlier row, or skipped with a reason. When the same
address appears more than once, an opt-out on any of its rows wins.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from dateutil import parser as date_parser

from condividi.newsletter.addresses import validate_address
from condividi.newsletter.providers.base import InvalidAddress

Standing = Literal["subscribed", "unconfirmed", "excluded"]
DateOrder = Literal["day-first", "month-first"]
# What --date-format accepts, and the order each one means.
DATE_FORMATS: dict[str, DateOrder] = {"DD/MM/YYYY": "day-first", "MM/DD/YYYY": "month-first"}
# A date of numbers only, with its first two fields in an order the text cannot tell.
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
DELIMITERS = ",;\t"
SUBSTACK_DELETED = "@deletion-request.substack.com"
SNIFF_BYTES = 8192


class ExportError(ValueError):
    """The file is not a subscriber export we can read; the message names the file and why."""


@dataclass(frozen=True)
class Reading:
    """What one row says about one address: as written, its name and date, and its standing
    at the source (``reason`` in the source's own terms when not plainly subscribed)."""

    email: str
    name: str = ""
    subscribed_at: datetime | None = None
    standing: Standing = "subscribed"
    reason: str = ""


RowReader = Callable[[Mapping[str, str], frozenset[str]], Reading]


@dataclass(frozen=True)
class ExportFormat:
    """A known export: its key, the name shown to the author, the columns that identify it
    (for the error message), the header test, and how to read one row."""

    key: str
    label: str
    expected: str
    matches: Callable[[frozenset[str]], bool]
    read_row: RowReader
    # The (normalized) columns holding dates, read in the file's one day/month order.
    date_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Export:
    """A read export: where it came from, its format, header, rows and content hash.

    ``rows`` are ``(row number, values by normalized column name, extra fields)``: the header is
    row 1, as in a spreadsheet; ``extra`` counts non-empty fields beyond the header's columns.
    """

    path: Path
    format: ExportFormat
    headers: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str], int], ...]
    digest: str
    delimiter: str


@dataclass(frozen=True)
class Candidate:
    """An address to import: its row, normalized address, name, original date, and whether
    the source never saw it confirmed (it then only ever gets a fresh double opt-in)."""

    row: int
    email: str
    name: str = ""
    subscribed_at: datetime | None = None
    unconfirmed: bool = False


@dataclass(frozen=True)
class Invalid:
    """A row whose address (``value``, as written) cannot be imported, and why."""

    row: int
    value: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    """A row repeating the address of row ``kept_row``, which decides its fate."""

    row: int
    email: str
    kept_row: int


@dataclass(frozen=True)
class Skipped:
    """A valid address deliberately not imported (it left, bounced, never confirmed...)."""

    row: int
    email: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """The fate of every row of ``export``."""

    export: Export
    candidates: tuple[Candidate, ...]
    invalid: tuple[Invalid, ...]
    duplicates: tuple[Duplicate, ...]
    skipped: tuple[Skipped, ...]
    # How numeric dates were read (None: the file has none) and the row that decided it
    # (None when the author said so with --date-format).
    date_order: DateOrder | None = None
    date_evidence: str | None = None


# -- values -------------------------------------------------------------------------------


def normalize_header(name: str) -> str:
    """Return a column name lower-cased with its spaces collapsed (``" Email  Address"`` ->
    ``"email address"``), the form formats are matched on."""
    return " ".join(name.replace("\ufeff", "").split()).lower()


def parse_date(text: str) -> datetime | None:
    """Return the moment an export wrote as ``text`` (ISO 8601, ``2021-03-04 10:20:30``,
    ``03/04/2021``, ``Mar 4, 2021``...), in UTC when it names no zone; None when empty or
    unreadable (the date is kept only as a record, so a bad one is not an error)."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = date_parser.parse(text)
        except (ValueError, OverflowError):
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _true(text: str) -> bool:
    return text.strip().lower() in ("true", "yes", "1", "t")


def _joined(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


# -- the formats --------------------------------------------------------------------------


def _feedburner_row(values: Mapping[str, str], headers: frozenset[str]) -> Reading:
    status = values.get("status", "").strip()
    when = parse_date(values.get("subscription date", ""))
    reading = Reading(values.get("email", ""), subscribed_at=when)
    if status.lower() == "active":
        return reading
    if status.lower() in ("unverified", "pending", "unconfirmed"):
        return Reading(
            reading.email,
            subscribed_at=when,
            standing="unconfirmed",
            reason=f"{status} at FeedBurner (never confirmed)",
        )
    shown = f'status "{status}"' if status else "no status"
    return Reading(
        reading.email,
        subscribed_at=when,
        standing="excluded",
        reason=f"{shown} at FeedBurner, not Active",
    )


MAILCHIMP_MARKERS = frozenset(
    {"member_rating", "optin_time", "confirm_time", "last_changed", "leid", "euid"}
)
MAILCHIMP_STATUS_COLUMNS = ("email marketing status", "status")


def _mailchimp_row(values: Mapping[str, str], headers: frozenset[str]) -> Reading:
    when = parse_date(values.get("confirm_time", "")) or parse_date(values.get("optin_time", ""))
    name = _joined(values.get("first name", ""), values.get("last name", ""))
    email = values.get("email address", "")
    if "unsub_time" in headers:
        why = _joined(values.get("unsub_reason", ""), values.get("unsub_reason_other", ""))
        on = values.get("unsub_time", "").strip()
        reason = "unsubscribed at Mailchimp" + (f" on {on}" if on else "")
        return Reading(email, name, when, "excluded", reason + (f" ({why})" if why else ""))
    if "clean_time" in headers:
        on = values.get("clean_time", "").strip()
        reason = "cleaned at Mailchimp: the address bounced" + (f" (on {on})" if on else "")
        return Reading(email, name, when, "excluded", reason)
    for column in MAILCHIMP_STATUS_COLUMNS:
        if column in headers:
            status = values.get(column, "").strip()
            if status.lower() == "subscribed":
                break
            if status.lower() == "pending":
                reason = "pending at Mailchimp (never confirmed)"
                return Reading(email, name, when, "unconfirmed", reason)
            reason = f'"{status}" at Mailchimp, not subscribed'
            return Reading(email, name, when, "excluded", reason)
    return Reading(email, name, when)


def _substack_list_row(values: Mapping[str, str], headers: frozenset[str]) -> Reading:
    email = values.get("email", "")
    when = parse_date(values.get("created_at", ""))
    if email.strip().lower().endswith(SUBSTACK_DELETED):
        return Reading(email, "", when, "excluded", "a deletion request at Substack")
    if _true(values.get("email_disabled", "")):
        reason = "emails disabled at Substack: the reader turned them off"
        return Reading(email, "", when, "excluded", reason)
    return Reading(email, "", when)


def _substack_dashboard_row(values: Mapping[str, str], headers: frozenset[str]) -> Reading:
    email = values.get("email", "")
    when = parse_date(values.get("subscription date", ""))
    if email.strip().lower().endswith(SUBSTACK_DELETED):
        return Reading(email, "", when, "excluded", "a deletion request at Substack")
    return Reading(email, values.get("name", "").strip(), when)


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "mailchimp",
        "Mailchimp audience export",
        "Mailchimp: Email Address with MEMBER_RATING, OPTIN_TIME, CONFIRM_TIME, ...",
        lambda h: "email address" in h and bool(h & MAILCHIMP_MARKERS),
        _mailchimp_row,
        ("confirm_time", "optin_time"),
    ),
    ExportFormat(
        "feedburner",
        "FeedBurner email subscribers export",
        "FeedBurner: Email, Subscription Date, Status",
        lambda h: {"email", "subscription date", "status"} <= h,
        _feedburner_row,
        ("subscription date",),
    ),
    ExportFormat(
        "substack",
        "Substack subscriber list export",
        "Substack: email, active_subscription, expiry, email_disabled, created_at",
        lambda h: "email" in h and bool({"active_subscription", "email_disabled"} & h),
        _substack_list_row,
        ("created_at",),
    ),
    ExportFormat(
        "substack-dashboard",
        "Substack dashboard export",
        "Substack dashboard: Email, Name, Subscription type, Subscription date, ...",
        lambda h: {"email", "subscription type"} <= h,
        _substack_dashboard_row,
        ("subscription date",),
    ),
)


def detect_format(headers: tuple[str, ...], source: str = "the file") -> ExportFormat:
    """Return the export format whose columns ``headers`` (as written) has.

    Raises :class:`ExportError` naming the headers found and what each format expects.
    """
    normalized = frozenset(normalize_header(h) for h in headers)
    for export_format in FORMATS:
        if export_format.matches(normalized):
            return export_format
    found = ", ".join(h.strip() for h in headers if h.strip()) or "(none)"
    expected = "; ".join(f.expected for f in FORMATS)
    raise ExportError(
        f"{source}: the headers ({found}) are not those of a subscriber export we know. "
        f"Expected one of: {expected}"
    )


# -- reading the file ---------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """Return the text of a CSV file's ``data``: UTF-8, a BOM removed.

    Raises :class:`ExportError` for an empty file, a UTF-16 one (Excel's "Unicode Text") or any
    other encoding, naming the line of the first byte that is not UTF-8.
    """
    if not data.strip():
        raise ExportError(f"{source} is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExportError(
            f'{source} is UTF-16 (Excel\'s "Unicode Text"): save it as "CSV UTF-8" and '
            "import that file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex().upper()
        raise ExportError(
            f"{source} is not UTF-8: byte 0x{byte} on line {line} (Windows-1252 or Latin-1, "
            'perhaps). Save it as "CSV UTF-8" (Excel) or with the UTF-8 character set '
            "(LibreOffice), then import that file"
        ) from None


def sniff_delimiter(text: str) -> str:
    """Return the delimiter (``,``, ``;`` or tab) of the CSV ``text``, judged from its start.

    Spreadsheets in Italian and other locales where the comma is the decimal mark save with
    ``;``. Falls back to ``,`` when the sample is ambiguous (a one-column file).
    """
    sample = text[:SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The sniffer wants consistent rows; the header line alone is enough to decide.
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_export(path: Path) -> Export:
    """Read the subscriber export at ``path`` and recognise its format from the header.

    Returns the :class:`Export`; raises :class:`ExportError` when the file is missing, empty,
    not UTF-8, malformed as CSV, or has headers of no known export.
    """
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExportError(f"no file at {source}") from None
    except OSError as error:
        raise ExportError(f"{source} cannot be read: {error.strerror or error}") from None
    text = decode(data, source)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str], int]] = []
    try:
        headers = tuple(next(reader))
        export_format = detect_format(headers, source)
        columns = [normalize_header(h) for h in headers]
        for number, fields in enumerate(reader, start=2):
            values = {
                column: value for column, value in zip(columns, fields, strict=False) if column
            }
            extra = sum(1 for value in fields[len(columns) :] if value.strip())
            rows.append((number, values, extra))
    except csv.Error as error:
        raise ExportError(f"{source}, line {reader.line_num}: not valid CSV ({error})") from None
    return Export(
        path=path,
        format=export_format,
        headers=headers,
        rows=tuple(rows),
        digest=hashlib.sha256(data).hexdigest(),
        delimiter=delimiter,
    )


# -- dates: one order per file ----------------------------------------------------------


@dataclass(frozen=True)
class DateDecision:
    """The file's day/month order (None: no numeric date in it) and the row that decided it."""

    order: DateOrder | None
    evidence: str | None = None


def _numeric_dates(export: Export) -> list[tuple[int, str, int, int]]:
    """Return ``(row, text, first field, second field)`` of every numbers-only date."""
    found = []
    for number, values, _ in export.rows:
        for column in export.format.date_columns:
            text = values.get(column, "").strip()
            match = _NUMERIC_DATE.match(text)
            if match:
                found.append((number, text, int(match[1]), int(match[2])))
    return found


def decide_date_order(export: Export, given: DateOrder | None = None) -> DateDecision:
    """Decide once for the whole ``export`` whether its numeric dates put the day or the month
    first; ``given`` is the author's answer (``--date-format``), checked against the rows.

    Returns the :class:`DateDecision`. Raises :class:`ExportError` naming the rows when two
    rows disagree (``14/03/2010`` and ``03/14/2010``), when a row contradicts ``given``, or
    when every numeric date could be read both ways and nothing was given.
    """
    source = str(export.path)
    dates = _numeric_dates(export)
    day_first = next(((n, t) for n, t, a, b in dates if a > 12 and b <= 12), None)
    month_first = next(((n, t) for n, t, a, b in dates if b > 12 and a <= 12), None)
    if day_first and month_first:
        raise ExportError(
            f"{source}: row {day_first[0]} has {day_first[1]!r} (day first) but row "
            f"{month_first[0]} has {month_first[1]!r} (month first): the dates are in two "
            "orders, so none of them can be trusted. Fix those rows, then import again"
        )
    if given is not None:
        against = month_first if given == "day-first" else day_first
        if against is not None:
            written = "DD/MM/YYYY" if given == "day-first" else "MM/DD/YYYY"
            raise ExportError(
                f"{source}: --date-format {written} does not fit row {against[0]}, "
                f"{against[1]!r}: check the format the file was exported with"
            )
        return DateDecision(given if dates else None)
    if day_first:
        return DateDecision("day-first", f"row {day_first[0]}: {day_first[1]}")
    if month_first:
        return DateDecision("month-first", f"row {month_first[0]}: {month_first[1]}")
    both_ways = [(n, t) for n, t, a, b in dates if a != b]
    if both_ways:
        row, text = both_ways[0]
        raise ExportError(
            f"{source}: {len(both_ways)} date(s) such as {text!r} (row {row}) read as a day "
            "and a month either way round, and no row tells which comes first. Say how the "
            "file writes them: --date-format DD/MM/YYYY (14 March is 14/03) or --date-format "
            "MM/DD/YYYY (14 March is 03/14); with make, DATE_FORMAT=DD/MM/YYYY"
        )
    return DateDecision("day-first" if dates else None)


def _dates_in_order(
    values: dict[str, str], columns: tuple[str, ...], order: DateOrder | None
) -> dict[str, str]:
    """Return ``values`` with its numeric dates rewritten in ISO 8601, read in ``order``."""
    if order is None:
        return values
    rewritten = dict(values)
    for column in columns:
        text = values.get(column, "").strip()
        if not _NUMERIC_DATE.match(text):
            continue
        try:
            moment = date_parser.parse(text, dayfirst=order == "day-first")
        except (ValueError, OverflowError):
            continue
        rewritten[column] = moment.isoformat()
    return rewritten


# -- the plan -----------------------------------------------------------------------------


def plan_import(
    export: Export,
    *,
    confirmed: bool = False,
    include_unconfirmed: bool = False,
    date_order: DateOrder | None = None,
) -> ImportPlan:
    """Decide the fate of every row of ``export``; return the :class:`ImportPlan`.

    Takes the export and the import's mode: ``confirmed`` (readers import as confirmed, on the
    author's consent note) or not (each gets a confirmation mail), and ``include_unconfirmed``
    (send readers the source never saw confirmed a fresh confirmation request; never with
    ``confirmed``), and the day/month order of its dates when the author gave it
    (``date_order``; else :func:`decide_date_order` decides it from the rows). Blank rows are
    not rows. Addresses are validated with the project's own
    :func:`~condividi.newsletter.addresses.validate_address` and compared without letter case.
    Raises :class:`ExportError` when the file's dates cannot be read in one order.
    """
    dates = decide_date_order(export, date_order)
    invalid: list[Invalid] = []
    readings: dict[str, list[tuple[int, str, Reading]]] = {}
    columns = len(export.headers)
    headers = frozenset(normalize_header(h) for h in export.headers)
    for number, values, extra in export.rows:
        if not any(value.strip() for value in values.values()) and not extra:
            continue
        values = _dates_in_order(values, export.format.date_columns, dates.order)
        reading = export.format.read_row(values, headers)
        if extra:
            invalid.append(
                Invalid(
                    number,
                    reading.email,
                    f"{columns + extra} fields where the header has {columns}: a value with "
                    "an unquoted delimiter in it?",
                )
            )
            continue
        try:
            email = validate_address(reading.email, "import")
        except InvalidAddress as error:
            invalid.append(Invalid(number, reading.email, error.message))
            continue
        readings.setdefault(email.lower(), []).append((number, email, reading))

    candidates: list[Candidate] = []
    duplicates: list[Duplicate] = []
    skipped: list[Skipped] = []
    for group in readings.values():
        opt_outs = [entry for entry in group if entry[2].standing == "excluded"]
        number, email, reading = (opt_outs or group)[0]
        duplicates.extend(Duplicate(n, e, number) for n, e, _ in group if n != number)
        source = export.format.label.split()[0]
        if reading.standing == "excluded":
            skipped.append(Skipped(number, email, reading.reason))
        elif reading.standing == "unconfirmed" and confirmed:
            skipped.append(
                Skipped(
                    number,
                    email,
                    f"{reading.reason}: never imported as confirmed (import without "
                    "--confirmed, with --include-unconfirmed, to ask it to confirm)",
                )
            )
        elif reading.standing == "unconfirmed" and not include_unconfirmed:
            skipped.append(
                Skipped(
                    number,
                    email,
                    f"{reading.reason}: not contacted (--include-unconfirmed sends it a "
                    f"confirmation request, as {source} once did)",
                )
            )
        else:
            candidates.append(
                Candidate(
                    number,
                    email,
                    reading.name,
                    reading.subscribed_at,
                    unconfirmed=reading.standing == "unconfirmed",
                )
            )
    return ImportPlan(
        export=export,
        candidates=tuple(sorted(candidates, key=lambda c: c.row)),
        invalid=tuple(sorted(invalid, key=lambda i: i.row)),
        duplicates=tuple(sorted(duplicates, key=lambda d: d.row)),
        skipped=tuple(sorted(skipped, key=lambda s: s.row)),
        date_order=dates.order,
        date_evidence=dates.evidence,
    )
