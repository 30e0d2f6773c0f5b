"""Subscriber exports: reading, recognising the source, validating and planning every row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condividi.migrate.subscribers import (
    Candidate,
    Duplicate,
    ExportError,
    Invalid,
    decide_date_order,
    parse_date,
    plan_import,
    read_export,
    sniff_delimiter,
)

DATA = Path(__file__).parent / "data" / "subscribers"


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def fates(plan) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Return row number -> what became of it."""
    found = {c.row: "import" for c in plan.candidates}
    found.update({i.row: "invalid" for i in plan.invalid})
    found.update({d.row: "duplicate" for d in plan.duplicates})
    found.update({s.row: "skipped" for s in plan.skipped})
    return found


def test_feedburner_export_every_row_has_a_fate():
    export = read_export(DATA / "feedburner.csv")
    assert export.format.key == "feedburner"
    assert export.delimiter == ","
    plan = plan_import(export)
    assert [c.email for c in plan.candidates] == [
        "anna.bianchi@example.org",
        "Marco.Verdi@example.net",  # the domain normalized, the local part as written
        "sara.neri@example.org",
    ]
    assert plan.candidates[0] == Candidate(
        2, "anna.bianchi@example.org", "", datetime(2009, 3, 14, tzinfo=UTC)
    )
    assert plan.candidates[2].subscribed_at is None  # no date: still imported
    assert [(i.row, i.value) for i in plan.invalid] == [
        (5, "non-un-indirizzo"),
        (7, "luca,rossi@example.org"),  # a quoted comma inside the value, read whole
    ]
    assert "@-sign" in plan.invalid[0].reason
    assert plan.duplicates == (Duplicate(6, "anna.bianchi@example.org", 2),)
    skipped = {s.row: s.reason for s in plan.skipped}
    assert "Unverified at FeedBurner (never confirmed): not contacted" in skipped[4]
    assert skipped[10] == 'status "Unsubscribed" at FeedBurner, not Active'
    # Row 9 is blank: no subscriber there. Every other data row has exactly one fate.
    assert sorted(fates(plan)) == [2, 3, 4, 5, 6, 7, 8, 10]


def test_unverified_readers_get_a_fresh_confirmation_only_when_asked():
    export = read_export(DATA / "feedburner.csv")
    asked = plan_import(export, include_unconfirmed=True)
    giulia = next(c for c in asked.candidates if c.row == 4)
    assert giulia.email == "giulia@example.com" and giulia.unconfirmed
    confirmed = plan_import(export, confirmed=True)
    reason = next(s.reason for s in confirmed.skipped if s.row == 4)
    assert "never imported as confirmed" in reason
    assert all(not c.unconfirmed for c in confirmed.candidates)


def test_bom_and_semicolons_of_an_italian_spreadsheet():
    export = read_export(DATA / "feedburner_bom_semicolon.csv")
    assert export.headers[0] == "Email"  # no BOM left in the first header
    assert export.delimiter == ";"
    plan = plan_import(export)
    assert [(c.email, c.subscribed_at) for c in plan.candidates] == [
        ("chiara@example.org", datetime(2010, 3, 14, tzinfo=UTC)),
        ("davide@example.org", datetime(2011, 7, 1, tzinfo=UTC)),
    ]


def test_mailchimp_subscribed_file_with_quoted_names_and_multiline_notes():
    export = read_export(DATA / "mailchimp_subscribed.csv")
    assert export.format.key == "mailchimp"
    plan = plan_import(export)
    assert [(c.row, c.email, c.name) for c in plan.candidates] == [
        (2, "elena@example.org", "Elena Conti, detta Lena"),
        (3, "franco@example.org", "Franco Gallo"),
    ]
    # CONFIRM_TIME is the opt-in that counts; OPTIN_TIME when there is none (single opt-in).
    assert plan.candidates[0].subscribed_at == datetime(2019, 4, 1, 8, 5, 10, tzinfo=UTC)
    assert plan.candidates[1].subscribed_at == datetime(2018, 2, 3, 9, 0, tzinfo=UTC)
    # The NOTES value spans two lines: the next record is still spreadsheet row 4.
    assert plan.duplicates == (Duplicate(4, "ELENA@example.org", 2),)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "mailchimp_unsubscribed.csv",
            "unsubscribed at Mailchimp on 2021-05-05 12:00:00 "
            "(I no longer want to receive these emails)",
        ),
        ("mailchimp_cleaned.csv", "cleaned at Mailchimp: the address bounced"),
    ],
)
def test_mailchimp_unsubscribed_and_cleaned_files_import_nobody(name, reason):
    plan = plan_import(read_export(DATA / name))
    assert plan.candidates == ()
    [skipped] = plan.skipped
    assert skipped.reason.startswith(reason)


def test_mailchimp_status_column_decides_per_row(tmp_path):
    path = write(
        tmp_path,
        "Email Address,First Name,Last Name,Email Marketing Status,OPTIN_TIME\n"
        "a@example.org,A,,subscribed,2020-01-01 00:00:00\n"
        "b@example.org,B,,pending,2020-01-01 00:00:00\n"
        "c@example.org,C,,archived,2020-01-01 00:00:00\n",
    )
    plan = plan_import(read_export(path), include_unconfirmed=True)
    assert [(c.email, c.unconfirmed) for c in plan.candidates] == [
        ("a@example.org", False),
        ("b@example.org", True),
    ]
    assert [s.reason for s in plan.skipped] == ['"archived" at Mailchimp, not subscribed']


def test_substack_list_export():
    export = read_export(DATA / "substack_email_list.csv")
    assert export.format.key == "substack"
    plan = plan_import(export)
    assert [c.email for c in plan.candidates] == ["irene@example.org", "lorenzo@example.org"]
    assert plan.candidates[0].subscribed_at == datetime(2022, 1, 15, 10, 0, tzinfo=UTC)
    assert {s.row: s.reason for s in plan.skipped} == {
        4: "emails disabled at Substack: the reader turned them off",
        5: "a deletion request at Substack",
    }


def test_substack_dashboard_export():
    plan = plan_import(read_export(DATA / "substack_dashboard.csv"))
    assert [(c.email, c.name) for c in plan.candidates] == [
        ("nora@example.org", "Nora Esposito"),
        ("oscar@example.org", ""),
    ]


def test_unknown_headers_are_named_with_what_was_expected():
    with pytest.raises(ExportError) as caught:
        read_export(DATA / "unknown_headers.csv")
    message = str(caught.value)
    assert "unknown_headers.csv" in message
    assert "(Nome, Indirizzo di posta, Iscritto il)" in message
    assert "FeedBurner: Email, Subscription Date, Status" in message
    assert "Mailchimp: Email Address" in message
    assert "Substack: email, active_subscription" in message


def test_a_file_in_another_encoding_names_the_line():
    with pytest.raises(ExportError) as caught:
        read_export(DATA / "windows1252.csv")
    assert "is not UTF-8: byte 0xF2 on line 2" in str(caught.value)
    assert "CSV UTF-8" in str(caught.value)


def test_utf16_empty_and_missing_files(tmp_path):
    utf16 = tmp_path / "unicode.csv"
    utf16.write_bytes("Email,Subscription Date,Status\n".encode("utf-16"))
    with pytest.raises(ExportError, match="UTF-16"):
        read_export(utf16)
    with pytest.raises(ExportError, match="is empty"):
        read_export(write(tmp_path, "\n\n", "empty.csv"))
    with pytest.raises(ExportError, match="no file at"):
        read_export(tmp_path / "missing.csv")


def test_unterminated_quote_is_an_error_naming_the_line(tmp_path):
    path = write(tmp_path, 'Email,Subscription Date,Status\n"a@example.org,2020-01-01,Active\n')
    with pytest.raises(ExportError, match=r"export.csv, line \d+: not valid CSV"):
        read_export(path)


def test_a_row_with_more_fields_than_the_header_is_invalid(tmp_path):
    path = write(
        tmp_path,
        "Email,Subscription Date,Status\n"
        "a@example.org,2020-01-01,Active\n"
        "Rossi, Mario <m@example.org>,2020-01-01,Active\n"
        "b@example.org,2020-01-01,Active,\n",  # a trailing empty field is harmless
    )
    plan = plan_import(read_export(path))
    assert [c.email for c in plan.candidates] == ["a@example.org", "b@example.org"]
    assert plan.invalid == (
        Invalid(
            3, "Rossi", "4 fields where the header has 3: a value with an unquoted delimiter in it?"
        ),
    )


def test_an_opt_out_wins_over_an_earlier_active_row(tmp_path):
    path = write(
        tmp_path,
        "Email,Subscription Date,Status\n"
        "a@example.org,2020-01-01,Active\n"
        "A@example.org,2021-01-01,Unsubscribed\n",
    )
    plan = plan_import(read_export(path))
    assert plan.candidates == ()
    assert [(s.row, s.email) for s in plan.skipped] == [(3, "A@example.org")]
    assert plan.duplicates == (Duplicate(2, "a@example.org", 3),)


def test_tab_separated_and_crlf(tmp_path):
    path = write(tmp_path, "email\tcreated_at\temail_disabled\r\na@example.org\t\tfalse\r\n")
    export = read_export(path)
    assert (export.format.key, export.delimiter) == ("substack", "\t")
    assert [c.email for c in plan_import(export).candidates] == ["a@example.org"]


def test_sniffing_a_header_only_sample_falls_back_to_the_header():
    assert sniff_delimiter("Email;Subscription Date;Status") == ";"
    assert sniff_delimiter("email") == ","


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-04T10:20:30.000Z", datetime(2021, 3, 4, 10, 20, 30, tzinfo=UTC)),
        ("2021-03-04 10:20:30", datetime(2021, 3, 4, 10, 20, 30, tzinfo=UTC)),
        ("2021-03-04", datetime(2021, 3, 4, tzinfo=UTC)),
        ("Mar 4, 2021", datetime(2021, 3, 4, tzinfo=UTC)),
        ("", None),
        ("ieri", None),
    ],
)
def test_dates_as_exports_write_them(text, expected):
    assert parse_date(text) == expected


ADDRESS = st.one_of(
    st.from_regex(r"[a-z]{1,6}@(example\.org|example\.net)", fullmatch=True),
    st.sampled_from(["", "non-un-indirizzo", "a@", "@example.org", "x y@example.org"]),
)
STATUS = st.sampled_from(["Active", "Unverified", "Unsubscribed", ""])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(ADDRESS, STATUS), max_size=25))
def test_every_row_gets_exactly_one_fate_and_every_address_at_most_one_import(
    tmp_path_factory, rows
):
    lines = ["Email,Subscription Date,Status"] + [f"{a},2020-01-01,{s}" for a, s in rows]
    path = tmp_path_factory.mktemp("prop") / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = plan_import(read_export(path), include_unconfirmed=True)
    # Every line has a date, so none is blank: each one is a row with a fate.
    assert sorted(fates(plan)) == list(range(2, len(rows) + 2))
    keys = [c.email.lower() for c in plan.candidates]
    assert len(keys) == len(set(keys))
    # An address with any Unsubscribed row is never imported.
    gone = {a.lower() for a, s in rows if s == "Unsubscribed"}
    assert not gone & set(keys)


# -- dates: one day/month order per file (issue 25) ---------------------------------------

FEEDBURNER = "Email,Subscription Date,Status\n"


def _dated(tmp_path: Path, *dates: str) -> Path:
    rows = "".join(f"r{n}@example.org,{date},Active\n" for n, date in enumerate(dates))
    return write(tmp_path, FEEDBURNER + rows)


def _dates(plan) -> list[datetime | None]:  # type: ignore[no-untyped-def]
    return [c.subscribed_at for c in plan.candidates]


def test_one_row_that_decides_sets_the_order_for_the_whole_file(tmp_path):
    path = _dated(tmp_path, "14/03/2010", "01/07/2011", "02.03.2012 10:20", "2013-05-06")
    plan = plan_import(read_export(path))
    assert _dates(plan) == [
        datetime(2010, 3, 14, tzinfo=UTC),
        datetime(2011, 7, 1, tzinfo=UTC),  # 1 July, as row 2 shows: not 7 January
        datetime(2012, 3, 2, 10, 20, tzinfo=UTC),
        datetime(2013, 5, 6, tzinfo=UTC),  # ISO dates are never reordered
    ]
    assert (plan.date_order, plan.date_evidence) == ("day-first", "row 2: 14/03/2010")


def test_month_first_when_a_row_says_so(tmp_path):
    plan = plan_import(read_export(_dated(tmp_path, "01/07/2011", "03/14/2010")))
    assert _dates(plan) == [datetime(2011, 1, 7, tzinfo=UTC), datetime(2010, 3, 14, tzinfo=UTC)]
    assert plan.date_order == "month-first"


def test_a_file_ambiguous_throughout_is_refused_until_told(tmp_path):
    export = read_export(_dated(tmp_path, "01/07/2011", "02/03/2012", "05/05/2013"))
    with pytest.raises(ExportError) as refused:
        plan_import(export)
    message = str(refused.value)
    assert str(export.path) in message and "'01/07/2011' (row 2)" in message
    assert "2 date(s)" in message and "--date-format DD/MM/YYYY" in message
    day_first = plan_import(export, date_order="day-first")
    assert _dates(day_first)[:2] == [
        datetime(2011, 7, 1, tzinfo=UTC),
        datetime(2012, 3, 2, tzinfo=UTC),
    ]
    month_first = plan_import(export, date_order="month-first")
    assert _dates(month_first)[:2] == [
        datetime(2011, 1, 7, tzinfo=UTC),
        datetime(2012, 2, 3, tzinfo=UTC),
    ]
    assert (month_first.date_order, month_first.date_evidence) == ("month-first", None)


def test_rows_in_two_orders_are_refused_naming_both(tmp_path):
    export = read_export(_dated(tmp_path, "14/03/2010", "01/07/2011", "03/14/2010"))
    with pytest.raises(ExportError, match=r"row 2 has '14/03/2010' \(day first\) but row 4"):
        plan_import(export)


def test_a_date_format_the_rows_contradict_is_refused(tmp_path):
    export = read_export(_dated(tmp_path, "14/03/2010"))
    with pytest.raises(ExportError, match=r"MM/DD/YYYY does not fit row 2, '14/03/2010'"):
        plan_import(export, date_order="month-first")


def test_files_without_numeric_dates_need_no_decision(tmp_path):
    assert decide_date_order(read_export(DATA / "mailchimp_subscribed.csv")).order is None
    assert plan_import(read_export(DATA / "substack_email_list.csv")).date_order is None
