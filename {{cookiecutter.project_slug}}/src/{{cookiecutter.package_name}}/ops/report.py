"""Write a pull-request report: what changed against a base revision, as Markdown, and its plots as PNGs.

    python -m {{ cookiecutter.package_name }}.ops.report --base origin/main --repro-log reports/repro.log --out pr-report

`<out>/report.md` holds `dvc params diff` and `dvc metrics diff` against the base, the stages
that the saved `dvc repro` output shows as run, restored from the run-cache or unchanged, an
optional `--note`, and the list of PNG plots under `<out>/plots/` that overlay the base
revision's plot tables (reports/plots/*.csv, kept in git) on the workspace's. PNGs rather than
`dvc plots` HTML, because that HTML loads vega from a CDN and shows nothing offline or in a CI
artifact.

report.md names the plots but embeds none: CI posts it as a pull-request comment and a job
summary, where a relative image path resolves against the pull request's page and breaks,
`data:` images are stripped, and there is no API to upload an image. The PNGs travel in the
`pr-report` artifact of the CI run instead (reproduce.yml uploads the whole <out> directory).
"""

import argparse
import io
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ProjectError, run_stage
from ..paths import PLOTS_DIR
from .report_plots import PLOT_TITLES, render_plots


class ReportError(ProjectError):
    """The pull-request report cannot be made: a bad base revision, or git or DVC failed."""


# The lines `dvc repro` prints per stage (dvc/stage/run.py, cache.py and __init__.py).
_STAGE_LINES = {
    "ran": re.compile(r"Running stage '([^']+)'"),
    "cached": re.compile(r"Stage '([^']+)' is cached - skipping run"),
    "unchanged": re.compile(r"Stage '([^']+)' didn't change, skipping"),
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes, if the log was captured from a terminal

# The first line of report.md, hidden when GitHub renders it. pr-report.yml finds the one
# comment it keeps up to date on a pull request by this line: the two must stay equal.
PR_REPORT_MARKER = "<!-- reproduce-pr-report -->"
# Where CI puts the PNGs: reproduce.yml uploads the report directory as this artifact.
ARTIFACT_NAME = "pr-report"


@dataclass
class StageRuns:
    """Stage names by what `dvc repro` did with them, in the order it reported them."""

    ran: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse_repro_log(text: str) -> StageRuns:
    """Sort the stages named in `dvc repro` output into ran, restored from the run-cache and unchanged."""
    runs = StageRuns()
    for line in _ANSI.sub("", text).splitlines():
        for kind, pattern in _STAGE_LINES.items():
            match = pattern.search(line)
            names: list[str] = getattr(runs, kind)
            if match and match.group(1) not in names:
                names.append(match.group(1))
    return runs


# --- git and DVC --------------------------------------------------------------------------------


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ReportError(f"{command[0]} not found; run `make setup` and use the project's make targets") from None


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


def dvc_diff(kind: str, base: str) -> str:
    """`dvc params diff` or `dvc metrics diff` of base against the workspace, as a Markdown table."""
    result = _run(sys.executable, "-m", "dvc", kind, "diff", base, "--md")
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        raise ReportError(f"`dvc {kind} diff {base}` failed: {lines[-1]}")
    return result.stdout.strip()


def read_base_table(base: str, path: Path) -> pd.DataFrame | None:
    """A plot table as committed at base, or None when it is not there (e.g. a new plot)."""
    result = subprocess.run(["git", "show", f"{base}:./{path.as_posix()}"], capture_output=True, text=True, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return pd.read_csv(io.StringIO(result.stdout))


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


# --- the Markdown ---------------------------------------------------------------------------------


def _table_or(text: str, empty: str) -> str:
    """DVC's Markdown table, or `empty` when it has no rows (DVC then prints only the header)."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return text if len(rows) > 2 else empty


def _names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) if names else "none"


def render_markdown(
    base: str,
    base_commit: str,
    params_diff: str,
    metrics_diff: str,
    stages: StageRuns | None,
    repro_log: Path,
    plots: list[str],
    plot_notes: dict[str, str],
    note: str | None = None,
) -> str:
    """The report: marker, title, optional note, parameter and metric changes, stages, then the plots' files."""
    lines = [PR_REPORT_MARKER, f"# Pull-request report: workspace against `{base}`", ""]
    lines += [f"Base `{base}` is commit `{base_commit[:12]}`; values below compare it with this workspace.", ""]
    if note:
        lines += [f"> **Note:** {note}", ""]
    lines += ["## Parameters", "", _table_or(params_diff, "No parameter changes."), ""]
    lines += ["## Metrics", "", _table_or(metrics_diff, "No metric changes."), ""]
    lines += ["## Stages", ""]
    if stages is None:
        lines += [f"No `dvc repro` log at `{repro_log}`: run `make repro 2>&1 | tee {repro_log}` first.", ""]
    else:
        lines += [
            f"From the `dvc repro` log `{repro_log}`:",
            "",
            f"- Ran: {_names(stages.ran)}",
            f"- Restored from the run-cache: {_names(stages.cached)}",
            f"- Unchanged: {_names(stages.unchanged)}",
            "",
        ]
    lines += ["## Plots", ""]
    if not plots:
        lines += [f"No plot tables under `{PLOTS_DIR}/`.", ""]
    else:
        # Named, never embedded: an image in a comment or job summary would show as broken.
        lines += [
            "PNG plots of the base against the workspace are in `plots/` beside this report; in CI, "
            f"download them from the `{ARTIFACT_NAME}` artifact of the workflow run (a pull-request "
            "comment cannot show them).",
            "",
        ]
        for name in plots:
            note = f" {plot_notes[name]}" if name in plot_notes else ""
            lines.append(f"- {PLOT_TITLES[name]}: `plots/{name}.png`.{note}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="origin/main", help="git revision to compare with (default: origin/main)")
    parser.add_argument("--repro-log", type=Path, default=Path("reports/repro.log"), help="saved `dvc repro` output")
    parser.add_argument("--out", type=Path, default=Path("pr-report"), help="output directory (default: pr-report)")
    parser.add_argument("--note", help="a line to show at the top of the report")
    args = parser.parse_args()

    commit = resolve_revision(args.base)  # fail fast, before any slow work
    params_diff, metrics_diff = dvc_diff("params", args.base), dvc_diff("metrics", args.base)
    log: Path = args.repro_log
    stages = parse_repro_log(log.read_text(encoding="utf-8", errors="replace")) if log.is_file() else None
    base_tables, head_tables = read_tables(args.base)
    plots = render_plots(base_tables, head_tables, args.out / "plots", base_label=f"base ({args.base})")
    plot_notes = {
        name: f"Only the {'workspace' if name in head_tables else 'base'} has `{PLOTS_DIR}/{name}.csv`."
        for name in plots
        if (name in base_tables) != (name in head_tables)
    }
    report = render_markdown(args.base, commit, params_diff, metrics_diff, stages, log, plots, plot_notes, args.note)
    (args.out / "report.md").write_text(report, encoding="utf-8")
    print(f"report: wrote {args.out / 'report.md'} with {len(plots)} plots")


if __name__ == "__main__":
    run_stage(main)
