"""Checking an email address a reader typed, before anything else sees it.

The signup endpoint and the local provider both call :func:`validate_address`: a bad address
gets a clear message and never reaches a provider, a database or an SMTP conversation.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from condividi.newsletter.providers.base import InvalidAddress

# RFC 5321 caps a forward path at 256 octets including the angle brackets.
MAX_LENGTH = 254
# Any control character (CR and LF above all) could smuggle headers into a message.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class MissingAddress(InvalidAddress):
    """The address field was empty."""


def validate_address(raw: str, source: str = "signup") -> str:
    """Return ``raw`` as a normalized email address, or raise :class:`InvalidAddress`.

    Takes what the reader typed and the name to report as the error's source. Refuses control
    characters (header injection), an empty value (:class:`MissingAddress`), more than 254
    characters and anything ``email-validator`` rejects; never looks the domain up on the
    network. The domain comes back lower-cased and in its ASCII form (an international
    domain as punycode, ``esempìo.it`` as ``xn--esempo-vya.it``), so it fits a ``To:`` header
    and every provider, and both spellings are one subscriber; the local part is kept as typed.
    """
    # Spaces and tabs around a pasted address are harmless; line breaks never are.
    address = raw.strip(" \t")
    if _CONTROL.search(address):
        raise InvalidAddress(source, "The email address must be on one line, without controls.")
    if not address:
        raise MissingAddress(source, "Enter an email address.")
    if len(address) > MAX_LENGTH:
        raise InvalidAddress(
            source,
            f"The email address is {len(address)} characters long; at most {MAX_LENGTH} fit.",
        )
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise InvalidAddress(source, str(error)) from error
    # allow_smtputf8=False: the local part is ASCII, so the ASCII form always exists.
    return str(result.ascii_email)
