"""Bounded reading of a bundle's tarball: a crafted archive is refused before memory grows.

A bundle holds a few regular files with plain names. Each member's header is checked
before a byte of it is read: its kind, its name, and the sizes so far against
MAX_BYTES, so a tar bomb (a small .tar.gz declaring gigabytes) costs nothing.
"""

import tarfile
from collections.abc import Collection
from pathlib import Path

from ..contract import ProjectError

# The most a bundle may unpack to. The model is by far its largest file: raise this if yours is bigger.
MAX_BYTES = 2 << 30
# A bundle has three files; anything with many more is not one.
MAX_MEMBERS = 8


class ArchiveError(ProjectError):
    """A bundle's archive is unreadable or not shaped like a bundle."""


def member_problem(member: tarfile.TarInfo, names: Collection[str], total: int) -> str | None:
    if not member.isreg():
        return f"member {member.name!r} is not a regular file"
    if member.name not in names:  # also refuses absolute names and any '..'
        return f"member {member.name!r} is not one of a bundle's files ({', '.join(sorted(names))})"
    if total + member.size > MAX_BYTES:
        return f"it would unpack to more than {MAX_BYTES >> 20} MiB (archive.py's MAX_BYTES)"
    return None


def read_members(path: Path, names: Collection[str]) -> dict[str, bytes]:
    """The files of the archive at path, each of which must be one of names; ArchiveError otherwise."""
    contents: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(path, "r:gz") as archive:
            for count, member in enumerate(archive, start=1):
                problem = "it has too many members" if count > MAX_MEMBERS else None
                problem = problem or member_problem(member, names, total)
                if problem is None and member.name in contents:
                    problem = f"member {member.name!r} appears twice"
                if problem:
                    raise ArchiveError(f"{path} is refused: {problem}; it is not a bundle this project made")
                total += member.size
                source = archive.extractfile(member)
                assert source is not None  # a regular file always has a stream
                contents[member.name] = source.read()
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ArchiveError(f"{path} is not a readable bundle ({err}); download or build it again") from None
    return contents
