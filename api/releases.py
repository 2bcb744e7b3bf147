"""The current release of the published dataset, as ``/api/v1/dataset/`` serves it: read from ``RELEASE_DIR``
at one moment, whole, and never mixed with a release switched in meanwhile. Writing one is ``api.exports``'s;
the format is ``datasets.release_format``'s.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from datasets.release_format import CHECKSUMS, DATAPACKAGE
from datasets.resources import last_change, published_counts


def listed_files(release_dir: Path) -> dict[str, str]:
    """The files a release's SHA256SUMS lists: name -> sha256 (names are relative, never leave the release)."""
    listed = {}
    for line in (release_dir / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        parts = PurePosixPath(name).parts
        if len(digest) == 64 and parts and not name.startswith("/") and ".." not in parts:
            listed[name] = digest
    return listed


@dataclass(frozen=True)
class ReleaseFile:
    """A downloadable file of a release."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Release:
    """The release that a directory holds, as read at one moment: a switch to a new release afterwards
    changes none of it (``directory`` is where this release's files are)."""

    directory: Path
    package: dict
    files: list[ReleaseFile]


def read_release(release_dir: Path) -> Release | None:
    """The release in ``release_dir``: its datapackage and every file its SHA256SUMS lists (records/ too, so
    that a release downloaded over HTTP can be checked with ``sha256sum -c`` and imported), and SHA256SUMS
    itself; None if there is none. A listed file that is missing is not offered."""
    directory = Path(os.path.realpath(release_dir))
    try:
        package = json.loads((directory / DATAPACKAGE).read_text(encoding="utf-8"))
        sums = (directory / CHECKSUMS).read_bytes()
        listed = listed_files(directory)
    except (OSError, ValueError):
        return None
    files = [
        ReleaseFile(name, digest, (directory / name).stat().st_size)
        for name, digest in listed.items()
        if (directory / name).is_file()
    ]
    files.append(ReleaseFile(CHECKSUMS, hashlib.sha256(sums).hexdigest(), len(sums)))
    return Release(directory, package, files)


def is_current(package: dict) -> bool:
    """Whether a release's datapackage describes the published data as it is now."""
    changed = last_change()
    return package.get("counts") == published_counts() and package.get("last_change") == (
        changed.isoformat() if changed else None
    )
