"""Fail when dvc.lock does not match the committed code and params.

`dvc status` compares every stage with dvc.lock. On a fresh clone the data
and models are not pulled yet, so "not in cache" and "deleted" are expected
and accepted; anything else (a modified dependency, a changed param or
command) means dvc.lock is stale: somebody changed the pipeline's inputs
without rerunning it.

    {{ cookiecutter.project_slug }} ci check-lock
"""

import json
import subprocess
from pathlib import Path

from ..contract import ProjectError

# States of a dependency or output that only mean "not pulled here".
NOT_PULLED = {"not in cache", "deleted"}


class StaleLockError(ProjectError):
    """dvc.lock was not updated after a change to the pipeline's inputs."""


def stale_entries(status: dict[str, list]) -> list[str]:
    """The changes in `dvc status --json` output that are more than missing data."""
    problems = []
    for stage, changes in status.items():
        for change in changes:
            if isinstance(change, str):  # e.g. "changed command"
                problems.append(f"{stage}: {change}")
                continue
            for kind, files in change.items():
                for path, state in files.items():
                    if isinstance(state, dict):  # params: {"model": "modified"}
                        problems += [f"{stage}: param {key} {value}" for key, value in state.items()]
                    elif state not in NOT_PULLED:
                        problems.append(f"{stage}: {kind.removeprefix('changed ')} {path} {state}")
    return problems


def check() -> str:
    """Raise StaleLockError when dvc.lock does not match the code and params; the line that says it does."""
    if not Path("dvc.lock").exists():  # a fresh project: nothing reproduced yet, so nothing can be stale
        return "No dvc.lock yet: run `make repro` and commit dvc.lock to record the pipeline's first run."
    result = subprocess.run(["dvc", "status", "--json"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ProjectError(f"`dvc status` failed: {result.stderr.strip()}")
    problems = stale_entries(json.loads(result.stdout or "{}"))
    if problems:
        raise StaleLockError("dvc.lock is stale, run `make repro` and commit dvc.lock:\n  " + "\n  ".join(problems))
    return "dvc.lock matches the code and params"
