"""Checking typed addresses: clear messages, nothing odd gets through."""

from __future__ import annotations

import pytest

from condividi.newsletter.addresses import MissingAddress, validate_address
from condividi.newsletter.providers.base import InvalidAddress

LONG = "a" * 288 + "@example.org"  # 300 characters


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("lettrice@example.org", "lettrice@example.org"),
        ("  lettrice@example.org\t", "lettrice@example.org"),
        ("Giulia.Ferraris@Example.ORG", "Giulia.Ferraris@example.org"),
        ("nome+blog@posta.example.it", "nome+blog@posta.example.it"),
    ],
)
def test_valid_addresses_are_normalized(raw: str, expected: str) -> None:
    assert validate_address(raw) == expected


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty_address_is_missing(raw: str) -> None:
    with pytest.raises(MissingAddress, match="Enter an email address"):
        validate_address(raw)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("a@", "something after the @-sign"),
        ("a@b", "should have a period"),
        ("lettrice.example.org", "must have an @-sign"),
        ("a@b.test", "special-use or reserved"),
        (LONG, "300 characters long; at most 254"),
        ("a@b.it\r\nBcc: x@y.z", "on one line"),
        ("a@b.it\n", "on one line"),
        ("a@b.it\x00", "on one line"),
        ("àb@example.it", "Internationalized characters"),
    ],
)
def test_bad_addresses_get_a_clear_message(raw: str, words: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        validate_address(raw, source="signup")
    assert words in caught.value.message
    assert caught.value.provider == "signup"


def test_no_network_lookup_for_unknown_domains() -> None:
    # A domain that exists nowhere still passes: deliverability is not checked (no DNS).
    assert validate_address("a@no-such-domain-condividi.example") == (
        "a@no-such-domain-condividi.example"
    )
