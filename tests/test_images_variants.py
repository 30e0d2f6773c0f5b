"""Resized copies: which widths, how they are drawn, the cache and the source index."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bench.photos import write_photo
from condividi.config import ConfigError
from condividi.images.config import images_config
from condividi.images.variants import (
    ImageFileError,
    SourceIndex,
    VariantCache,
    plan_widths,
    read_source,
    render_variants,
    variant,
)

WIDTHS = (480, 800, 1200, 1600)


def test_plan_widths_never_scales_up_and_stops_at_the_largest() -> None:
    assert plan_widths(2400, WIDTHS) == WIDTHS
    assert plan_widths(1600, WIDTHS) == WIDTHS
    assert plan_widths(1000, WIDTHS) == (480, 800, 1000)
    assert plan_widths(300, WIDTHS) == (300,)


def test_copies_are_drawn_at_their_size_in_their_format(tmp_path: Path) -> None:
    path = write_photo(tmp_path / "porto.jpg", 1000, 750, seed=3)
    source = read_source(path)
    assert (source.width, source.height, source.format) == (1000, 750, "JPEG")
    items = [variant(source, "WEBP", 800, 78), variant(source, "JPEG", 480, 82)]
    made = render_variants(path, items, {"WEBP": 78, "JPEG": 82})
    for item in items:
        with Image.open(io.BytesIO(made[item.key])) as image:
            assert image.format == item.format
            assert image.size == (item.width, item.height)
    assert (items[0].height, items[1].height) == (600, 360)


def test_a_sideways_photo_is_measured_and_drawn_upright(tmp_path: Path) -> None:
    image = Image.new("RGB", (400, 200), "red")
    exif = image.getexif()
    exif[0x0112] = 6  # turned a quarter: shown 200 wide and 400 high
    path = tmp_path / "verticale.jpg"
    image.save(path, "JPEG", exif=exif)
    source = read_source(path)
    assert (source.width, source.height) == (200, 400)
    item = variant(source, "JPEG", 100, 82)
    with Image.open(io.BytesIO(render_variants(path, [item], {"JPEG": 82})[item.key])) as copy:
        assert copy.size == (100, 200)
        assert 0x0112 not in copy.getexif()


def test_a_transparent_png_keeps_its_transparency_in_webp(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGBA", (600, 300), (200, 0, 0, 0)).save(path)
    source = read_source(path)
    item = variant(source, "WEBP", 480, 78)
    with Image.open(io.BytesIO(render_variants(path, [item], {"WEBP": 78})[item.key])) as copy:
        assert copy.mode == "RGBA" and copy.getpixel((0, 0))[3] == 0


def test_the_key_changes_with_the_bytes_the_format_the_width_and_the_quality(
    tmp_path: Path,
) -> None:
    one = read_source(write_photo(tmp_path / "a.jpg", 500, 300, seed=1))
    two = read_source(write_photo(tmp_path / "b.jpg", 500, 300, seed=2))
    keys = {
        variant(one, "WEBP", 480, 78).key,
        variant(two, "WEBP", 480, 78).key,
        variant(one, "JPEG", 480, 78).key,
        variant(one, "WEBP", 400, 78).key,
        variant(one, "WEBP", 480, 70).key,
    }
    assert len(keys) == 5
    assert variant(one, "WEBP", 480, 78) == variant(one, "WEBP", 480, 78)


def test_an_unreadable_image_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rotta.jpg"
    path.write_bytes(b"not a jpeg")
    with pytest.raises(ImageFileError, match=r"rotta\.jpg"):
        read_source(path)


def test_the_source_index_reads_a_file_again_only_when_it_changed(tmp_path: Path) -> None:
    path = write_photo(tmp_path / "a.jpg", 300, 200, seed=1)
    index = SourceIndex(tmp_path / "cache" / "sources.json")
    first = index.get(path)
    index.save()
    again = SourceIndex(tmp_path / "cache" / "sources.json")
    assert again.get(path) == first and not again.changed
    write_photo(path, 320, 200, seed=2)
    changed = again.get(path)
    assert changed.width == 320 and changed.sha256 != first.sha256 and again.changed


def test_the_variant_cache_counts_what_it_wrote(tmp_path: Path) -> None:
    source = read_source(write_photo(tmp_path / "a.jpg", 300, 200))
    cache = VariantCache(tmp_path / "cache")
    item = variant(source, "WEBP", 200, 78)
    assert cache.missing([item]) == [item]
    cache.put(item, b"data")
    assert cache.missing([item]) == [] and cache.made == 1
    assert cache.path(item).name == f"{item.key}.webp"


def test_config_defaults_and_errors() -> None:
    config = images_config({})
    assert config.enabled and config.widths == WIDTHS and config.eager == 1
    assert images_config({"IMAGES_WIDTHS": [800, 400]}).widths == (400, 800)
    for settings, message in [
        ({"IMAGES_WIDTHS": []}, "IMAGES_WIDTHS"),
        ({"IMAGES_WIDTHS": [400, 400]}, "twice"),
        ({"IMAGES_WEBP_QUALITY": 0}, "IMAGES_WEBP_QUALITY"),
        ({"IMAGES_OUTPUT_DIR": "../fuori"}, "IMAGES_OUTPUT_DIR"),
        ({"IMAGES_SIZES": '"><script>'}, "IMAGES_SIZES"),
        ({"IMAGES_ENABLED": "yes"}, "IMAGES_ENABLED"),
    ]:
        with pytest.raises(ConfigError, match=message):
            images_config(settings)
