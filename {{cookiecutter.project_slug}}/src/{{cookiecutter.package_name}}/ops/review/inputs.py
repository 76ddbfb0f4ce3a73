"""What the pull-request report reads: the saved `dvc repro` log, git and DVC at the base,
the model in production, and the plot tables; gathered in one Comparison."""

import io
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..contract import (
    METRICS,
    PLOTS_DIR,
    ProjectError,
)
from ..registry.tags import PRODUCTION_STAGE
from .plots import PLOT_TITLES
from .verdict import Review


class ReportError(ProjectError):
    """The pull-request report cannot be made: a bad base revision, or git or DVC failed."""


# The lines `dvc repro` prints per stage (dvc/stage/run.py, cache.py and __init__.py).
_STAGE_LINES = {
    "ran": re.compile(r"Running stage '([^']+)'"),
    "cached": re.compile(r"Stage '([^']+)' is cached - skipping run"),
    "unchanged": re.compile(r"Stage '([^']+)' didn't change, skipping"),
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes, if the log was captured from a terminal
# `[   12.3s] ` before a line: seconds since `dvc repro` started, stamped by `ci repro` (ops/ci/steps.py)
# (DVC prints no durations). A log without stamps, e.g. from `make repro | tee`, gives none.
_STAMP = re.compile(r"^\[\s*([0-9.]+)s\] ")

DIFF_KINDS = ("added", "modified", "deleted", "renamed")  # of `dvc diff --json`


@dataclass
class StageRuns:
    """Stage names by what `dvc repro` did with them, in the order it reported them."""

    ran: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # how long each stage that ran took, if stamped


def parse_repro_log(text: str) -> StageRuns:
    """Sort the stages named in `dvc repro` output into ran, restored from the run-cache and unchanged.

    In a stamped log, a stage that ran took from its `Running stage` line to the next stage's
    line, or to the log's last line: its command, then DVC saving its outputs.
    """
    runs = StageRuns()
    running: tuple[str, float] | None = None  # the stage running, and when it started
    stamp = last = None  # this line's stamp, and the last one seen
    for line in _ANSI.sub("", text).splitlines():
        stamped = _STAMP.match(line)
        stamp = float(stamped.group(1)) if stamped else None
        last = stamp if stamp is not None else last
        for kind, pattern in _STAGE_LINES.items():
            match = pattern.search(line)
            if not match:
                continue
            if running and stamp is not None and match.group(1) != running[0]:
                runs.seconds[running[0]] = stamp - running[1]
                running = None
            names: list[str] = getattr(runs, kind)
            if match.group(1) not in names:
                names.append(match.group(1))
                if kind == "ran" and stamp is not None:
                    running = (match.group(1), stamp)
    if running and last is not None:
        runs.seconds[running[0]] = last - running[1]
    return runs


# --- git and DVC --------------------------------------------------------------------------------


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ReportError(f"{command[0]} not found; run `make setup` and use the project's make targets") from None


def _failure(command: str, result: subprocess.CompletedProcess[str]) -> str:
    """`command` failed: its last line of error output, or its exit status."""
    lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
    return f"`{command}` failed: {lines[-1]}"


def resolve_revision(base: str) -> str:
    """The commit `base` names; ReportError if it names none (a typo, or a branch not fetched)."""
    # `^{commit}` follows an annotated tag to its commit, and rejects names of trees or blobs.
    result = _run("git", "rev-parse", "--verify", "--quiet", "--end-of-options", base + "^{commit}")
    if result.returncode != 0:
        raise ReportError(
            f"BASE {base!r} is not a valid git revision: pass a branch, tag or commit (e.g. BASE=main); "
            "in a shallow CI checkout, fetch it first (git fetch origin main)"
        )
    return result.stdout.strip()


def data_changes(base: str) -> dict[str, list[str]] | str:
    """DVC-tracked paths added, modified, deleted or renamed against base (`dvc diff`); the error if it failed."""
    result = _run(sys.executable, "-m", "dvc", "diff", base, "--json")
    if result.returncode != 0:  # e.g. the base's data is in no cache here: the rest of the report still helps
        return _failure(f"dvc diff {base}", result)
    changes = json.loads(result.stdout or "{}")
    listed = {kind: [_diff_path(entry["path"]) for entry in changes.get(kind, [])] for kind in DIFF_KINDS}
    # A tracked directory is named once: `reports/figures/`, not also each file in it.
    folders = [path for paths in listed.values() for path in paths if path.endswith("/")]
    return {
        kind: [path for path in paths if not any(path != folder and path.startswith(folder) for folder in folders)]
        for kind, paths in listed.items()
    }


def _diff_path(path: str | Mapping[str, str]) -> str:
    """A `dvc diff` path; a rename is a mapping of old and new."""
    return path if isinstance(path, str) else f"{path['old']} → {path['new']}"


def read_base_file(base: str, path: Path) -> str | None:
    """A file as committed at base, or None when it is not there (e.g. a new plot)."""
    result = _run("git", "show", f"{base}:./{path.as_posix()}")
    return result.stdout if result.returncode == 0 and result.stdout.strip() else None


@dataclass(frozen=True)
class Production:
    """The model in the registry's production stage: its version, commit and committed metrics."""

    version: str  # e.g. v1.2.0
    commit: str
    metrics: dict[str, float] | None  # None: that commit has no metrics file


def production_model(stage: str = PRODUCTION_STAGE) -> Production | None:
    """The version assigned `stage` in the registry (git tags, read by GTO), or None if none is."""
    from ..registry.tags import ARTIFACT, RegistryError, resolve

    try:
        found = resolve(f"{ARTIFACT}#{stage}")
    except RegistryError:  # no such stage assigned yet, or no git: nothing to compare with
        return None
    return Production(found.version, found.commit, json_or_none(read_base_file(found.commit, METRICS)))


def read_base_table(base: str, path: Path) -> pd.DataFrame | None:
    """A plot table as committed at base, or None when it is not there."""
    text = read_base_file(base, path)
    return None if text is None else pd.read_csv(io.StringIO(text))


def read_tables(base: str, plots_dir: Path = PLOTS_DIR) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The plot tables (base, workspace) by name; a name is missing where its CSV is."""
    base_tables: dict[str, pd.DataFrame] = {}
    head_tables: dict[str, pd.DataFrame] = {}
    for name in PLOT_TITLES:
        path = plots_dir / f"{name}.csv"
        if path.exists():
            head_tables[name] = pd.read_csv(path)
        table = read_base_table(base, path)
        if table is not None:
            base_tables[name] = table
    return base_tables, head_tables


@dataclass
class Comparison:
    """What the report compares: the base revision and this pull request's workspace, and how they were made."""

    base: str  # the revision as the user named it, e.g. origin/main
    base_commit: str
    task: str  # classification or regression
    gate: dict[str, float]  # the quality gate: baseline_margin and/or metric -> bound (gate.py)
    head_metrics: dict[str, float] | None  # None: not computed yet (no reports/metrics.json)
    base_metrics: dict[str, float] | None = None  # None: the base has no metrics
    params_changes: dict[str, tuple[object, object]] = field(default_factory=dict)  # sections.params_changes
    stages: StageRuns | None = None  # None: no `dvc repro` log
    repro_log: Path = Path("reports/repro.log")
    base_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # plot tables by name (read_tables)
    head_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)  # the PNGs written, by name
    plot_notes: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    base_data: dict[str, object] | None = None  # reports/data.json of each side (prepare.py); None: none
    head_data: dict[str, object] | None = None
    data_changes: dict[str, list[str]] | str | None = None  # data_changes(); None: not asked
    head_commit: str = ""  # the pull request's head commit, as the report names it
    links: dict[str, str] = field(default_factory=dict)  # links.head_links: commit, compare, run
    review: "Review | None" = None  # the models scored on the same rows; None: no model in the workspace

    def tables(self, name: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        """The plot table `name` of the base and of the workspace; None where one has none."""
        return self.base_tables.get(name), self.head_tables.get(name)


def json_or_none(text: str | None) -> dict[str, object] | None:
    return None if text is None else json.loads(text)
