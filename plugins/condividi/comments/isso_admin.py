"""The password of Isso's web admin (``COMMENTS_ISSO_ADMIN``), never a guessable one.

Isso expands ``${VARIABLE}`` in its configuration from its own environment and keeps the text
as it is when the variable is missing, so a configuration naming ``${ISSO_ADMIN_PASSWORD}``
started the admin with that literal text as its password. The password is therefore written
into the configuration itself (a file only its owner can read, in the git-ignored ``var/``):
``ISSO_ADMIN_PASSWORD``'s value when the command writing the configuration has it, else a random
one made once and kept in ``admin-password`` next to the database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from condividi.config import ConfigError

VARIABLE = "ISSO_ADMIN_PASSWORD"
FILE_NAME = "admin-password"
MIN_LENGTH = 12
# Isso's own sample value, and what it would take literally from a missing variable.
KNOWN_PLACEHOLDERS = ("please_choose_a_strong_password", f"${{{VARIABLE}}}", f"${VARIABLE}")


@dataclass(frozen=True)
class AdminPassword:
    """The admin's password and, for the author, where it comes from."""

    value: str = field(repr=False)
    source: str


def check_password(value: str, where: str) -> str:
    """Return ``value`` if Isso can use it as it is; raise :class:`ConfigError` naming ``where``.

    Refuses fewer than 12 characters, surrounding spaces, line breaks, Isso's placeholders and
    ``$`` (Isso would read it as the start of a variable).
    """
    problem = ""
    if value in KNOWN_PLACEHOLDERS or "$" in value:
        problem = "contains '$', which Isso reads as an environment variable"
    elif len(value) < MIN_LENGTH:
        problem = f"is shorter than {MIN_LENGTH} characters"
    elif value != value.strip() or "\n" in value or "\r" in value:
        problem = "has spaces around it or a line break"
    if problem:
        raise ConfigError(f"the Isso admin password in {where} {problem}: choose another")
    return value


def admin_password(folder: Path, environ: Mapping[str, str]) -> AdminPassword:
    """Return the admin password for the Isso whose database is in ``folder``.

    ``ISSO_ADMIN_PASSWORD`` from ``environ`` when set; else the random one kept in
    ``folder/admin-password``, made (readable by its owner only) on the first call.
    """
    chosen = environ.get(VARIABLE)
    if chosen:
        return AdminPassword(check_password(chosen, VARIABLE), f"the one in {VARIABLE}")
    path = folder / FILE_NAME
    if path.is_file():
        kept = path.read_text(encoding="utf-8").strip()
        return AdminPassword(check_password(kept, str(path)), f"the random one kept in {path}")
    made = secrets.token_urlsafe(24)
    write_private(path, made + "\n")
    return AdminPassword(made, f"a random one, made now and kept in {path}")


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step, readable and writable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
