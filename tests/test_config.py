"""Typed plugin settings: defaults, conversion and clear errors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from condividi.config import ConfigError, load_config


@dataclass(frozen=True)
class ExampleConfig:
    networks: tuple[str, ...] = ("facebook",)
    max_items: int | None = 20
    enabled: bool = True


def test_defaults_when_unset() -> None:
    assert load_config(ExampleConfig, {}, "EX") == ExampleConfig()


def test_values_are_read_and_lists_become_tuples() -> None:
    config = load_config(ExampleConfig, {"EX_NETWORKS": ["x", "email"], "EX_MAX_ITEMS": None}, "EX")
    assert config.networks == ("x", "email")
    assert config.max_items is None


@pytest.mark.parametrize(
    ("key", "value"),
    [("EX_NETWORKS", "facebook"), ("EX_MAX_ITEMS", "20"), ("EX_ENABLED", 1)],
)
def test_wrong_type_names_the_setting(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key):
        load_config(ExampleConfig, {key: value}, "EX")
