"""Which URLs are WordPress uploads, and where they go on the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from condividi.migrate.media import MediaPlan, upload_path

UPLOADS = Path(__file__).parent / "data" / "wordpress" / "uploads"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://blog.example.org/wp-content/uploads/2013/05/a.jpg", "2013/05/a.jpg"),
        ("https://x.org/blog/wp-content/uploads/2013/05/a%20b.jpg?w=300", "2013/05/a b.jpg"),
        ("/wp-content/uploads/a.png", "a.png"),
        ("https://i0.wp.com/blog.example.org/wp-content/uploads/2013/05/a.jpg", "2013/05/a.jpg"),
        ("https://giulia.files.wordpress.com/2013/05/a.jpg", "2013/05/a.jpg"),
        ("https://blog.example.org/2013/05/post/", None),
        ("https://blog.example.org/wp-content/uploads/../../etc/passwd", None),
        ("https://blog.example.org/wp-content/uploads/2013/", None),
        ("mailto:a@example.org", None),
    ],
)
def test_upload_paths(url: str, path: str | None) -> None:
    assert upload_path(url) == path


def test_a_local_upload_is_copied_and_linked_from_static() -> None:
    plan = MediaPlan(UPLOADS)
    url = "https://giulia.example.org/wp-content/uploads/2024/03/foto.jpg"
    assert plan.resolve(url) == "{static}/images/2024/03/foto.jpg"
    copy = plan.copies["images/2024/03/foto.jpg"]
    assert copy.source == UPLOADS / "2024" / "03" / "foto.jpg" and copy.url == url
    assert not plan.missing


def test_a_missing_resized_copy_falls_back_to_the_original() -> None:
    plan = MediaPlan(UPLOADS)
    resized = "https://giulia.example.org/wp-content/uploads/2024/03/foto-300x200.jpg"
    assert plan.resolve(resized) == "{static}/images/2024/03/foto.jpg"


def test_missing_uploads_keep_their_url_and_are_listed() -> None:
    plan = MediaPlan(UPLOADS)
    url = "https://giulia.example.org/wp-content/uploads/2024/03/clip.mp4"
    assert plan.resolve(url) is None
    assert plan.resolve("https://other.example.org/page/") is None
    assert list(plan.missing) == [url]
    without_folder = MediaPlan(None)
    assert without_folder.resolve(url) is None and list(without_folder.missing) == [url]
