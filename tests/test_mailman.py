"""The Mailman adapter against a real Mailman 3 Core (started once per session)."""

from __future__ import annotations

import time

import pytest

from condividi.migrate.subscriber_import import ImportOptions, run_import
from condividi.migrate.subscriber_journal import Journal
from condividi.migrate.subscribers import plan_import, read_export
from condividi.newsletter.providers import adapter_class, create_provider
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    BadCredentials,
    InvalidAddress,
    Subscription,
)
from tests.providers_support import sample_edition

# Start-up can take minutes on a busy two-core machine; the session fixture counts here.
pytestmark = [pytest.mark.mailman, pytest.mark.timeout(900)]


def test_subscribe_with_double_opt_in_mails_a_confirmation(mailman_core):
    address = "lettrice.doi@example.org"
    adapter = create_provider(mailman_core.config())
    result = adapter.subscribe(Subscription(address))
    assert result.status == "pending"
    assert result.provider_id  # Mailman's confirmation token
    (_, message), *_ = mailman_core.sink.wait_for(lambda to, m: to == [address])
    assert "confirmation" in str(message["Subject"]).lower()
    assert address not in [m["email"] for m in mailman_core.members()]
    with pytest.raises(AlreadySubscribed, match="already pending"):
        adapter.subscribe(Subscription(address))


def test_subscribe_without_double_opt_in_makes_a_member(mailman_core):
    address = "lettore.diretto@example.org"
    adapter = create_provider(mailman_core.config(double_opt_in=False))
    result = adapter.subscribe(Subscription(address, name="Lettore Diretto"))
    assert result.status == "subscribed"
    member = next(m for m in mailman_core.members() if m["email"] == address)
    assert member["display_name"] == "Lettore Diretto"
    assert result.provider_id == member["member_id"]
    with pytest.raises(AlreadySubscribed, match="already subscribed"):
        adapter.subscribe(Subscription(address))


def test_invalid_address_and_wrong_password(mailman_core):
    adapter = create_provider(mailman_core.config())
    with pytest.raises(InvalidAddress, match="subscriber"):
        adapter.subscribe(Subscription("non-un-indirizzo"))
    wrong = create_provider(mailman_core.config(api_key="restadmin:sbagliata"))
    with pytest.raises(BadCredentials) as caught:
        wrong.subscribe(Subscription("chiunque@example.org"))
    assert "sbagliata" not in str(caught.value)


def test_deliver_reaches_every_member_with_list_unsubscribe(mailman_core):
    members = ["uno@example.org", "due@example.org"]
    direct = create_provider(mailman_core.config(double_opt_in=False))
    for address in members:
        direct.subscribe(Subscription(address))
    adapter = create_provider(mailman_core.config())
    edition = sample_edition(21, subject="L'edizione per la lista")
    delivery = adapter.deliver(edition)
    assert delivery.status == "sending"
    assert delivery.provider_id.startswith("<condividi-")

    received = mailman_core.sink.wait_for(
        lambda to, m: edition.subject in str(m["Subject"]), recipients=members
    )
    reached = {address for to, _ in received for address in to}
    every_member = {m["email"] for m in mailman_core.members()}
    assert reached == every_member  # every member, and only members
    for _, message in received:
        assert "lettere-leave@lists.example.org" in message["List-Unsubscribe"]
        assert "lettere.lists.example.org" in message["List-Id"]
        assert message["Message-ID"] == delivery.provider_id
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert edition.text in text
        assert edition.html in html
    # Mailman Core keeps no record of distributed posts: the ledger alone knows.
    assert adapter.can_find_deliveries is False
    assert adapter.find_delivery(edition) is None


def test_a_held_post_is_found_and_not_posted_twice(mailman_core):
    # A sender the list does not accept: Mailman holds the post for a moderator.
    adapter = create_provider(mailman_core.config(from_email="sconosciuto@example.org"))
    edition = sample_edition(22, subject="Un'edizione trattenuta")
    adapter.deliver(edition)
    deadline = time.monotonic() + 120
    while (held := adapter.find_delivery(edition)) is None:
        assert time.monotonic() < deadline, "the post never reached the held queue"
        time.sleep(0.5)
    assert held.status == "held"
    assert adapter.deliver(edition) == held
    path = f"/3.1/lists/{mailman_core.list_id}/held"
    entries = mailman_core.core.call("GET", path)["entries"]
    assert [e["subject"] for e in entries].count(edition.subject) == 1
    mailman_core.core.call("POST", f"{path}/{held.provider_id}", {"action": "discard"})
    assert mailman_core.sink.matching(lambda to, m: edition.subject in str(m["Subject"])) == []


def test_an_import_asks_each_reader_to_confirm_and_resumes_safely(mailman_core, tmp_path):
    addresses = ["importata.uno@example.org", "importata.due@example.org"]
    export = tmp_path / "feedburner.csv"
    export.write_text(
        "Email,Subscription Date,Status\n"
        + "".join(f"{address},2012-03-04,Active\n" for address in addresses),
        encoding="utf-8",
    )
    plan = plan_import(read_export(export))
    options = ImportOptions(import_id="feedburner-mailman-test-reconfirm")
    adapter = create_provider(mailman_core.config())
    journal_path = tmp_path / "journal.jsonl"
    with Journal.open(journal_path, {"import_id": options.import_id}) as journal:
        report = run_import(plan, adapter, journal, options)
    assert [o.state for o in report.outcomes] == ["pending", "pending"]
    for address in addresses:
        (_, message), *_ = mailman_core.sink.wait_for(lambda to, m, a=address: to == [a])
        assert "confirmation" in str(message["Subject"]).lower()
    assert not {m["email"] for m in mailman_core.members()} & set(addresses)

    # A run killed during its call leaves the address "started": Mailman answers the repeat
    # with a 409 (a request is pending), so no second confirmation is asked for.
    with Journal.open(journal_path, {"import_id": options.import_id}) as journal:
        journal.record(addresses[0], "started")
        again = run_import(plan, adapter, journal, options)
    assert again.outcomes[0].state == "already"
    assert "already pending" in again.outcomes[0].detail
    assert again.outcomes[1].earlier

    # Mailman keeps no note with a member: a confirmed import is refused up front.
    assert adapter_class("mailman").consent_record is None
