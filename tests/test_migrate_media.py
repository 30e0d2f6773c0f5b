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


def test_a_link_out_of_the_uploads_folder_is_never_followed(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "2024/03").mkdir(parents=True)
    secret = tmp_path / "hostname"
    secret.write_text("segreto\n")
    (uploads / "2024/03/link.jpg").symlink_to(secret)
    (uploads / "2024/03/foto.jpg").write_bytes(b"jpeg")
    (uploads / "2024/03/alias.jpg").symlink_to(uploads / "2024/03/foto.jpg")
    plan = MediaPlan(uploads)
    link = "https://giulia.example.org/wp-content/uploads/2024/03/link.jpg"
    assert plan.resolve(link) is None
    assert "images/2024/03/link.jpg" not in plan.copies
    assert list(plan.missing) == [link]
    assert "is a link out of the uploads folder" in plan.refused[link]
    # A link that stays inside the folder is an upload like any other.
    alias = "https://giulia.example.org/wp-content/uploads/2024/03/alias.jpg"
    assert plan.resolve(alias) == "{static}/images/2024/03/alias.jpg"


@pytest.mark.parametrize(
    "path",
    ["../../../etc/hostname", "%2e%2e/%2e%2e/wp-config.php", "2024/%2E%2E/%2e%2e/%2e%2e/x"],
)
def test_an_upload_url_leaving_the_folder_counts_as_missing(path: str) -> None:
    plan = MediaPlan(UPLOADS)
    url = f"https://giulia.example.org/wp-content/uploads/{path}"
    assert plan.resolve(url) is None and not plan.copies
    assert list(plan.missing) == [url]
    assert "leaves the uploads folder" in plan.refused[url]
