"""Typed, validated plugin settings read once from Pelican's settings.

A capability declares a frozen dataclass whose field names are the setting names without
their prefix (``networks`` for ``SHARE_NETWORKS``) and reads it with :func:`load_config`.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting has a value Condividi cannot use; the message names the setting."""


def _matches(value: Any, annotation: Any) -> bool:
    """Tell whether ``value`` fits a (simple) type annotation."""
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin in (tuple, list):
        args = typing.get_args(annotation)
        if not isinstance(value, (tuple, list)):
            return False
        item_type = args[0] if args else Any
        return all(_matches(item, item_type) for item in value)
    if origin in (dict, Mapping):
        return isinstance(value, Mapping)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def load_config(cls: type[T], settings: Mapping[str, Any], prefix: str) -> T:
    """Build ``cls`` from the ``PREFIX_FIELD`` entries of ``settings``.

    Takes a dataclass type, Pelican's settings mapping and the prefix (``"SHARE"``). Missing
    settings keep the dataclass defaults; lists become tuples. Returns the instance, or raises
    :class:`ConfigError` naming the setting whose value has the wrong type.
    """
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = f"{prefix}_{field.name.upper()}"
        if key not in settings:
            continue
        value = settings[key]
        if isinstance(value, list):
            value = tuple(value)
        if not _matches(value, hints[field.name]):
            raise ConfigError(
                f"setting {key} = {value!r} is not valid: expected {_describe(hints[field.name])}"
            )
        values[field.name] = value
    return cls(**values)


def _describe(annotation: Any) -> str:
    """Return a short human name for a type annotation."""
    text = str(annotation).replace("typing.", "")
    return text.removeprefix("<class '").removesuffix("'>")


def project_root(settings: Mapping[str, Any]) -> Path:
    """Return the project folder of Pelican ``settings``: the folder holding the content folder.

    Pelican makes ``PATH`` absolute from the settings file's folder, so with the usual
    ``PATH = "content"`` this is the folder of ``pelicanconf.py`` and ``publishconf.py``;
    a build given another absolute ``PATH`` (the tests' copies of the site) gets that copy's.
    """
    return Path(settings["PATH"]).resolve().parent


def project_path(settings: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Return where one of the project's data files or folders is: ``path`` made absolute.

    Takes Pelican ``settings`` and a path from a setting (the send ledger, the subscribers'
    database, the outbox, the editions, Isso's database, ...). A relative path is taken from
    the project folder (:func:`project_root`), so the build, ``make serve``, the signup
    endpoint and the command line all find the same file whatever their working folder; an
    absolute path is kept as it is.
    """
    path = Path(path)
    return path if path.is_absolute() else project_root(settings) / path
