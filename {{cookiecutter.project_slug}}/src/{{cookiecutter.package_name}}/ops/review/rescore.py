"""Like for like: the base's and production's models scored on the pull request's own test rows.

Committed metrics were measured on each revision's own test split: after a data change those
are different rows, and a better number may only mean easier rows. So the report gets each
other revision's model (and its test split) and scores every model on the same rows.

A model is read from the DVC cache, or the DVC remote, at its commit (DVCFileSystem). When
neither has it, as on a CI runner with the default local remote, that commit is checked out in
a scratch git worktree that shares this cache and `dvc repro train` rebuilds it there: the
base's code and params, on the base's data. Every file read is a skops model, loaded with
the trusted types only (model_file.py).
"""

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..contract import MODEL, TEST, ProjectError, read_model


@dataclass(frozen=True)
class Revision:
    """A model and the test split of one commit; `problem` says why either is missing."""

    commit: str
    pipeline: Any | None = None
    test: pd.DataFrame | None = None
    problem: str | None = None
    rebuilt: bool = False  # trained again in a scratch worktree: no cache or remote had it


def _read_at(commit: str) -> tuple[bytes, bytes]:
    """The model file and test split committed at `commit`, from the DVC cache or remote."""
    from dvc.api import DVCFileSystem

    fs = DVCFileSystem(".", rev=commit)
    return fs.read_bytes(MODEL.as_posix()), fs.read_bytes(TEST.as_posix())


def _rebuilt_at(commit: str) -> tuple[bytes, bytes]:
    """The model and test split of `commit`, trained again by `dvc repro train` in a scratch worktree."""
    cache = subprocess.run(
        [sys.executable, "-m", "dvc", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="base-") as scratch:
        tree = Path(scratch) / "tree"
        _git("worktree", "add", "--quiet", "--detach", str(tree), commit)
        try:
            # The worktree's own code, not this checkout's installed package, runs its stages.
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "src"), os.environ.get("PYTHONPATH", "")])}
            dvc = [sys.executable, "-m", "dvc"]
            if cache:
                subprocess.run([*dvc, "cache", "dir", "--local", cache], cwd=tree, capture_output=True, check=False)
            subprocess.run([*dvc, "checkout", "--quiet"], cwd=tree, env=env, capture_output=True, check=False)
            result = subprocess.run([*dvc, "repro", "train"], cwd=tree, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                last = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
                raise ProjectError(f"`dvc repro train` at {commit[:7]} failed: {last}")
            return (tree / MODEL).read_bytes(), (tree / TEST).read_bytes()
        finally:
            _git("worktree", "remove", "--force", str(tree))


def _git(*args: str) -> None:
    subprocess.run(["git", *args], capture_output=True, check=False)


def revision(commit: str) -> Revision:
    """The model and test split at `commit`: read from DVC, else rebuilt; a Revision naming the problem if neither."""
    import io

    rebuilt = False
    try:
        try:
            model, test = _read_at(commit)
        except Exception:  # noqa: BLE001 - not in the cache and no reachable remote: DVC raises many kinds
            model, test, rebuilt = *_rebuilt_at(commit), True
        pipeline = read_model(model, f"{MODEL} at {commit[:7]}")
        return Revision(commit, pipeline, pd.read_parquet(io.BytesIO(test)), rebuilt=rebuilt)
    except ProjectError as err:
        return Revision(commit, problem=str(err))
    except Exception as err:  # noqa: BLE001 - the report still helps without this side; it says why
        return Revision(commit, problem=f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")


def same_rows(first: pd.DataFrame | None, second: pd.DataFrame | None) -> bool:
    """Whether two test splits hold the same rows in the same order (so their scores compare as they are)."""
    if first is None or second is None:
        return False
    return first.shape == second.shape and list(first.columns) == list(second.columns) and first.equals(second)
