"""Allow-lists for the values that come from outside: workflow inputs, file names, tags, branches.

Nothing here runs a shell, but these values travel on: into a commit message, a pull
request's title, an issue, the next workflow's inputs. Each is checked against a
pattern of what it may be before it is used, and refused in one line naming it.
"""

import re
from pathlib import Path

from .contract import ProjectError

# What each kind of value may be, and the same in words for the error.
PATTERNS = {
    "batch": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.(csv|parquet)"), "letters, digits, '.', '_' and '-', then .csv"),
    # GTO's tags: name@vX.Y.Z, name#stage#N, and `gto deprecate`'s name@vX.Y.Z!, name#stage!#N, name@deprecated.
    "tag": (
        re.compile(r"[a-z0-9][a-z0-9-]*(@v\d+\.\d+\.\d+!?|#[A-Za-z0-9_-]+!?#\d+|@deprecated)"),
        "name@vX.Y.Z or name#stage#N",
    ),
    # A registry reference or a bundle path, as predict and monitor take them.
    "model": (
        re.compile(r"[a-z0-9][a-z0-9-]*(@v\d+\.\d+\.\d+|@latest|#[A-Za-z0-9_-]+)|[A-Za-z0-9_./-]+\.tar\.gz"),
        "name@vX.Y.Z, name#stage or a path/to/bundle.tar.gz",
    ),
    # A git revision to compare with: a branch, a tag, a commit, `main~1`; never an option (no leading -).
    "revision": (re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./~^@-]*"), "letters, digits and _./~^@-, not first -"),
    # A commit's id as GitHub names one (the pull request's head), and the Actions run's context.
    "commit": (re.compile(r"[0-9a-f]{7,40}"), "7 to 40 lowercase hex digits"),
    "server": (re.compile(r"https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?"), "https://host[:port]"),
    "run": (re.compile(r"[0-9]{1,20}"), "digits"),
    "experiment": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*"), "letters, digits, '.', '_' and '-'"),
    # Where publish.yml pushes the server's image: a registry host[:port], a GitHub owner/name.
    "registry": (re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?"), "a host name, then :port if any"),
    "repository": (re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+"), "owner/name, as GitHub spells them"),
    "owner": (re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*"), "letters, digits and '-'"),
    "stage": (re.compile(r"[A-Za-z0-9_-]+"), "letters, digits, '_' and '-'"),
    # Free text for a commit message or a pull request's title: no quotes, `$`, backticks or backslashes.
    "reason": (re.compile(r"[A-Za-z0-9 _.,:/@#+()-]{1,200}"), "up to 200 letters, digits, spaces and _.,:/@#+()-"),
}


class RefusedValue(ProjectError):
    """A value from outside does not match its allow-list."""


def checked(kind: str, value: str, what: str = "") -> str:
    """value, if it matches the allow-list for kind; else RefusedValue naming it."""
    pattern, allowed = PATTERNS[kind]
    if not pattern.fullmatch(value) or ".." in value:
        raise RefusedValue(f"refused {what or kind} {value!r}: it may hold only {allowed}")
    return value


def checked_batch(path: Path) -> Path:
    """A batch file whose name matches the allow-list (rename one that does not)."""
    pattern, allowed = PATTERNS["batch"]
    if not pattern.fullmatch(path.name):
        raise RefusedValue(f"refused the batch {str(path)!r}: rename it; a batch's name may hold only {allowed}")
    return path
