"""Write a pull-request report: what changed against a base revision, as Markdown, and its plots as PNGs.

    {{ cookiecutter.project_slug }} report --base origin/main --repro-log reports/repro.log --out pr-report

`<out>/report.md` opens with a verdict: does the workspace pass the quality gate (params.yaml
`gate`, from conf/), and is it better, the same or worse than the base on the task's main
metric, and than the model in production (the registry's `prod` stage, when one is assigned:
its metrics as committed at the version's tag, nothing retrained). Then the metrics of all
three, each change against the base judged by the metric's direction; `dvc params diff`
against the base; the data: DVC-tracked files changed (`dvc diff`) and each split's rows
and class shares or target range (reports/data.json, from prepare); for classification, the
confusion matrix and per-class scores; the top features by importance, with bars in plain
text; the stages that the saved `dvc repro` output shows as run (with durations when
stamped), restored from the run-cache or unchanged; an optional `--note`; and the list of
PNG plots under `<out>/plots/` that overlay the base's plot tables on the workspace's. PNGs
rather than `dvc plots` HTML, because that HTML loads vega from a CDN and shows nothing offline
or in a CI artifact. The base's metrics and plot tables (reports/, kept in git) are read with
`git show`. Long tables are cut, so that the report fits in a comment.

report.md names the plots but embeds none: CI posts it as a pull-request comment and a job
summary, where a relative image path resolves against the pull request's page and breaks,
`data:` images are stripped, and there is no API to upload an image. The PNGs travel in the
`pr-report` artifact of the CI run instead (reproduce.yml uploads the whole <out> directory).
"""

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import (
    AVERAGING,
    DATA_SUMMARY,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    METRICS,
    PLOTS_DIR,
    TASK_METRICS,
    ProjectError,
    bound_sign,
    load_params,
)
from .gate import gate_failures, misses, read_metrics, required
from .report_plots import PLOT_TITLES, TOP_FEATURES, importance_measure, render_plots

# The registry stage whose model the report compares with (.gto lists the stages).
PRODUCTION_STAGE = "prod"


class ReportError(ProjectError):
    """The pull-request report cannot be made: a bad base revision, or git or DVC failed."""


# The lines `dvc repro` prints per stage (dvc/stage/run.py, cache.py and __init__.py).
_STAGE_LINES = {
    "ran": re.compile(r"Running stage '([^']+)'"),
    "cached": re.compile(r"Stage '([^']+)' is cached - skipping run"),
    "unchanged": re.compile(r"Stage '([^']+)' didn't change, skipping"),
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes, if the log was captured from a terminal
# `[   12.3s] ` before a line: seconds since `dvc repro` started, stamped by scripts/ci_reproduce.sh
# (DVC prints no durations). A log without stamps, e.g. from `make repro | tee`, gives none.
_STAMP = re.compile(r"^\[\s*([0-9.]+)s\] ")

# The first line of report.md, hidden when GitHub renders it. pr-report.yml finds the one
# comment it keeps up to date on a pull request by this line: the two must stay equal.
PR_REPORT_MARKER = "<!-- reproduce-pr-report -->"
# Where CI puts the PNGs: reproduce.yml uploads the report directory as this artifact.
ARTIFACT_NAME = "pr-report"
# Metrics show with this many decimals; a change too small to show is "same".
DECIMALS = 4
# Bars in plain text: one to eight eighths of a character cell; the largest value is BAR_WIDTH cells.
BAR_EIGHTHS = "▏▎▍▌▋▊▉█"
BAR_WIDTH = 10
# Classes shown in the confusion and per-class tables: a matrix grows with their square.
MAX_CLASSES = 20
MAX_PARAMS = 50  # rows of the parameter changes shown
MAX_PATHS = 20  # paths of each kind of data change shown
DIFF_KINDS = ("added", "modified", "deleted", "renamed")  # of `dvc diff --json`
# GitHub cuts a comment or a pull request's body at 65,536 characters. pr-report.yml counts the
# bytes (never fewer than the characters) and adds a line: the report keeps well under.
MAX_BYTES = 60_000


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


def params_diff(base: str) -> str:
    """`dvc params diff` of base against the workspace, as a Markdown table."""
    result = _run(sys.executable, "-m", "dvc", "params", "diff", base, "--md")
    if result.returncode != 0:
        raise ReportError(_failure(f"dvc params diff {base}", result))
    return result.stdout.strip()


def data_changes(base: str) -> dict[str, list[str]] | str:
    """DVC-tracked paths added, modified, deleted or renamed against base (`dvc diff`); the error if it failed."""
    result = _run(sys.executable, "-m", "dvc", "diff", base, "--json")
    if result.returncode != 0:  # e.g. the base's data is in no cache here: the rest of the report still helps
        return _failure(f"dvc diff {base}", result)
    changes = json.loads(result.stdout or "{}")
    return {kind: [_diff_path(entry["path"]) for entry in changes.get(kind, [])] for kind in DIFF_KINDS}


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
    from .registry import ARTIFACT, RegistryError, resolve

    try:
        found = resolve(f"{ARTIFACT}#{stage}")
    except RegistryError:  # no such stage assigned yet, or no git: nothing to compare with
        return None
    return Production(found.version, found.commit, _json_or_none(read_base_file(found.commit, METRICS)))


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


# --- the Markdown ---------------------------------------------------------------------------------


@dataclass
class Comparison:
    """What the report compares: the base revision and the workspace, and how they were made."""

    base: str  # the revision as the user named it, e.g. origin/main
    base_commit: str
    task: str  # classification or regression
    gate: dict[str, float]  # the quality gate: baseline_margin and/or metric -> bound (gate.py)
    head_metrics: dict[str, float] | None  # None: not computed yet (no reports/metrics.json)
    base_metrics: dict[str, float] | None = None  # None: the base has no metrics
    params_diff: str = ""  # `dvc params diff --md`
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
    production: Production | None = None  # the registry's prod model; None: none assigned

    def tables(self, name: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        """The plot table `name` of the base and of the workspace; None where one has none."""
        return self.base_tables.get(name), self.head_tables.get(name)


def params_section(params_diff: str, base: str) -> list[str]:
    """DVC's table of changed parameters, its first MAX_PARAMS rows; a line when it has none."""
    table = [line for line in params_diff.splitlines() if line.startswith("|")]  # header, rule, rows
    if len(table) <= 2:
        return ["No parameter changes."]
    left_out = len(table) - 2 - MAX_PARAMS
    if left_out <= 0:
        return table
    return [*table[: 2 + MAX_PARAMS], "", f"{left_out} more changed parameters left out: `dvc params diff {base}`."]


def _names(names: list[str], seconds: dict[str, float] | None = None) -> str:
    """`a`, `b` (12.3 s): each name, with its duration where `seconds` has one."""
    seconds = seconds or {}
    shown = [f"`{name}`" + (f" ({seconds[name]:.1f} s)" if name in seconds else "") for name in names]
    return ", ".join(shown) if names else "none"


def _cell(text: object) -> str:
    """Text that stays in its table cell: a `|` would end the cell, a newline the table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """A Markdown table of cells already escaped (_cell); `align` holds l or r per column (default: l)."""
    rule = ["---:" if side == "r" else "---" for side in align.ljust(len(header), "l")]
    return ["| " + " | ".join(row) + " |" for row in [header, rule, *rows]]


def bar(value: float, largest: float) -> str:
    """value as a bar of eighth-character steps, BAR_WIDTH characters long at `largest`; empty if not positive."""
    if value <= 0 or largest <= 0:
        return ""
    eighths = round(value / largest * BAR_WIDTH * 8)
    return BAR_EIGHTHS[-1] * (eighths // 8) + (BAR_EIGHTHS[eighths % 8 - 1] if eighths % 8 else "")


def outcome(metric: str, base: float, head: float) -> str | None:
    """better, same or worse by the metric's direction; None for a metric of unknown direction."""
    delta = round(head - base, DECIMALS)
    if delta == 0:
        return "same"
    if metric not in HIGHER_IS_BETTER | LOWER_IS_BETTER:
        return None
    return "better" if (delta > 0) == (metric in HIGHER_IS_BETTER) else "worse"


def _against(main: str, head: dict[str, float], other: dict[str, float] | None, name: str) -> tuple[str | None, str]:
    """How the workspace compares with `other` on the main metric: (better/same/worse or None, the words)."""
    if main not in head or main not in (other or {}):
        lacking = "the workspace" if main not in head else name
        return None, f"{lacking} has no {main} to compare"
    said = outcome(main, other[main], head[main])
    against = "the same as" if said == "same" else f"{said} than"
    return said, f"{against} {name} on {main} ({other[main]:.{DECIMALS}f} → {head[main]:.{DECIMALS}f})"


def verdict(comparison: Comparison) -> str:
    """One line: the quality gate's outcome, then the task's main metric against the base and production."""
    head, gate, production = comparison.head_metrics, comparison.gate, comparison.production
    if head is None:
        return f"### ❔ No metrics in the workspace: run `make repro` to write `{METRICS}`"
    failures = gate_failures(head, gate)
    gate_says = "Passes the quality gate" if gate else "No quality gate is set"
    if failures:
        gate_says = f"Fails the quality gate ({'; '.join(failures)})"
    main = TASK_METRICS[comparison.task][0]  # accuracy, or rmse
    said, compared = _against(main, head, comparison.base_metrics, f"`{comparison.base}`")
    outcomes = [said]
    if production is not None:
        said, words = _against(main, head, production.metrics, f"production `{production.version}`")
        outcomes.append(said)
        compared += f"; {words}"
    # Passing but worse than the base or production is worth a reviewer's second look.
    icon = "❌" if failures else "⚠️" if "worse" in outcomes else "✅"
    return f"### {icon} {gate_says}; {compared}"


def _gate_cell(metric: str, head: dict[str, float], gate: dict[str, float]) -> str:
    """The metric's bound in the gate (or what beats the baseline), marked when missed; empty if it has none."""
    bounds = required(head, gate)
    if metric not in bounds:
        return ""
    shown = f"{bounds[metric]:.{DECIMALS}f}".rstrip("0").rstrip(".")  # 0.85 stays 0.85, 25000 stays 25000
    bound = f"{bound_sign(metric)} {shown}"
    missed = metric not in head or misses(metric, head[metric], bounds[metric])
    return f"**fails** {bound}" if missed else bound


def metrics_section(comparison: Comparison) -> list[str]:
    """Each metric: base, production (if any), workspace, the change by the metric's direction, its gate bound."""
    head, base = comparison.head_metrics or {}, comparison.base_metrics or {}
    production = comparison.production
    shown_sides = [base] if production is None else [base, production.metrics or {}]
    if not head and not base:
        return [f"No `{METRICS}` in the base or the workspace."]
    names, task_metrics = head.keys() | base.keys(), TASK_METRICS[comparison.task]
    rows = []
    # The task's metrics first, the main one on top (accuracy, or rmse), then any others.
    for metric in [name for name in task_metrics if name in names] + sorted(names - set(task_metrics)):
        arrow = " ↑" if metric in HIGHER_IS_BETTER else " ↓" if metric in LOWER_IS_BETTER else ""
        shown = [f"{values[metric]:.{DECIMALS}f}" if metric in values else "—" for values in (*shown_sides, head)]
        difference = ""
        if metric in base and metric in head:
            delta = head[metric] - base[metric]
            said = outcome(metric, base[metric], head[metric])
            difference = said if said == "same" else f"{said or ''} {delta:+.{DECIMALS}f}".strip()
        rows.append([metric + arrow, *shown, difference, _gate_cell(metric, head, comparison.gate)])
    header = ["metric", f"base `{comparison.base}`", "workspace", "change", "gate"]
    if production is not None:  # its values beside the base's; the change column stays against the base
        header.insert(2, f"production `{production.version}`")
    legend = f"From `{METRICS}`. ↑ higher is better, ↓ lower is better; the gate is `gate` in `conf/config.yaml`."
    if production is not None:
        legend += " The change is the workspace's against the base."
    if names & {"roc_auc", "average_precision"}:
        legend += f" Averaging: {AVERAGING}; the multiclass PNG curves pool every class (micro)."
    return [*_table(header, rows, "l" + "r" * len(shown_sides) + "rll"), "", legend]


def _importance(value: float, largest: float) -> str:
    return "—" if pd.isna(value) else f"{value:.{DECIMALS}f} {bar(value, largest)}"


def importance_section(base: pd.DataFrame | None, head: pd.DataFrame | None, base_name: str) -> list[str]:
    """The top features by importance, each version's as a number and a bar; the header names the measure."""
    labelled = {f"base `{base_name}`": base, "workspace": head}
    tables = {label: table for label, table in labelled.items() if table is not None}
    if not tables:
        return []
    ranked = list(tables.values())[-1]  # the workspace's ranking, or the base's if the workspace has none
    top = list(ranked.nlargest(TOP_FEATURES, "importance").feature)
    columns = {label: table.set_index("feature").importance.reindex(top) for label, table in tables.items()}
    measures = {label: importance_measure(table) for label, table in tables.items()}
    largest = {label: values.max() for label, values in columns.items()}
    if len(set(measures.values())) == 1:  # one measure: one scale, so the bars of both compare
        largest = dict.fromkeys(largest, pd.concat(columns.values()).max())
    rows = [
        [str(rank), _cell(feature), *(_importance(columns[label][feature], largest[label]) for label in columns)]
        for rank, feature in enumerate(top, start=1)
    ]
    header = ["#", "feature", *(f"{label}: {_cell(measures[label])}" for label in columns)]
    said = f"All {len(top)} features, most important first."
    if len(ranked) > len(top):
        said = (
            f"The {len(top)} most important of {len(ranked)} features; "
            f"{len(ranked) - len(top)} left out (all are in `{PLOTS_DIR}/feature_importance.csv`)."
        )
    return [said, "", *_table(header, rows, "rl")]


def confusion_counts(pairs: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Counts of the (actual, predicted) pairs evaluate writes: a row per actual class, a column per predicted."""
    counts = pd.crosstab(pairs.actual.astype(str), pairs.predicted.astype(str))
    return counts.reindex(index=labels, columns=labels, fill_value=0)


def per_class(counts: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support of each class of a confusion matrix; NaN where undefined (0 / 0)."""
    right = pd.Series(np.diag(counts), index=counts.index)
    predicted, actual = counts.sum(axis=0), counts.sum(axis=1)
    return pd.DataFrame(
        {
            "precision": right / predicted.replace(0, np.nan),
            "recall": right / actual.replace(0, np.nan),
            "F1": 2 * right / (predicted + actual).replace(0, np.nan),  # = 2PR / (P + R)
            "support": actual,
        }
    )


def _formatted(scores: pd.DataFrame) -> pd.DataFrame:
    """per_class() as table cells: scores to DECIMALS, support as a count, — where undefined."""
    cells = scores.drop(columns="support").map(lambda value: "—" if pd.isna(value) else f"{value:.{DECIMALS}f}")
    return cells.assign(support=scores.support.astype(str))


def _with_base(
    head: pd.DataFrame, base: pd.DataFrame | None, cells: Callable[[pd.DataFrame], pd.DataFrame]
) -> pd.DataFrame:
    """The `cells` of the workspace's frame, with the base's where it shows differently: `52 (was 50)`."""
    shown = cells(head)
    if base is None:
        return shown
    was = cells(base)
    return shown.where(shown == was, shown + " (was " + was + ")")


def _frame_table(frame: pd.DataFrame, corner: str) -> list[str]:
    """A frame of cells as a Markdown table: the index as the first column, the others right-aligned."""
    rows = [[_cell(label), *cells] for label, cells in zip(frame.index, frame.to_numpy().tolist(), strict=True)]
    return _table([corner, *map(_cell, frame.columns)], rows, "l" + "r" * len(frame.columns))


def classification_sections(base: pd.DataFrame | None, head: pd.DataFrame | None) -> list[str]:
    """The confusion matrix and per-class scores from the workspace's pairs, with the base's where they differ."""
    if head is None:
        return []
    pairs = pd.concat([table for table in (base, head) if table is not None])
    labels = sorted(set(pairs.actual.astype(str)) | set(pairs.predicted.astype(str)))
    counts = confusion_counts(head, labels)
    base_counts = None if base is None else confusion_counts(base, labels)
    shown, cut = labels, []
    if len(labels) > MAX_CLASSES:  # the most frequent in the test set, in label order
        shown = sorted(counts.sum(axis=1).nlargest(MAX_CLASSES).index)
        cut = [f"The {len(shown)} most frequent of {len(labels)} classes; {len(labels) - len(shown)} left out.", ""]
    matrix = _with_base(counts, base_counts, lambda frame: frame.astype(str)).loc[shown, shown]
    for label in shown:
        matrix.at[label, label] = f"**{matrix.at[label, label]}**"  # the diagonal: right predictions
    scores = _with_base(counts, base_counts, lambda frame: _formatted(per_class(frame)))
    return [
        "## Confusion matrix",
        "",
        *cut,
        "Test-set counts of the workspace, a row per actual class; `(was N)` is the base's count where it differs.",
        "",
        *_frame_table(matrix, "actual ↓ predicted →"),
        "",
        "## Per class",
        "",
        *cut,
        *_frame_table(scores.loc[shown], "class"),
        "",
    ]


def flatten(tree: Mapping[str, object], prefix: str = "") -> dict[str, float]:
    """The numbers of nested JSON by dotted key, as `dvc metrics diff` names them: `train.class_share.a`."""
    flat: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float):
            flat[f"{prefix}{key}"] = float(value)
    return flat


def _number(value: float | None) -> str:
    """A count as a whole number, anything else to DECIMALS; — when absent."""
    if value is None:
        return "—"
    return f"{value:.0f}" if value.is_integer() else f"{value:.{DECIMALS}f}"


def data_section(comparison: Comparison) -> list[str]:
    """The DVC-tracked files changed against the base, then rows and class shares or target range of each split."""
    c, lines = comparison, []
    if isinstance(c.data_changes, str):
        lines += [c.data_changes, ""]
    elif c.data_changes is not None:
        changed = {kind: paths for kind, paths in c.data_changes.items() if paths}
        lines.append("DVC-tracked files against the base (`dvc diff`):" if changed else "No DVC-tracked file changed.")
        for kind, paths in changed.items():
            more = f" and {len(paths) - MAX_PATHS} more" if len(paths) > MAX_PATHS else ""
            lines.append(f"- {kind.capitalize()}: {_names(paths[:MAX_PATHS])}{more}")
        lines.append("")
    base, head = flatten(c.base_data or {}), flatten(c.head_data or {})
    if base or head:
        rows = []
        for key in list(head) + [key for key in base if key not in head]:
            before, after = base.get(key), head.get(key)
            delta = "" if before is None or after is None else ("same" if before == after else _signed(after - before))
            rows.append([_cell(key), _number(before), _number(after), delta])
        lines += _table(["value", f"base `{c.base}`", "workspace", "change"], rows, "lrrr")
        lines += ["", f"From `{DATA_SUMMARY}`, which `prepare` writes."]
    return lines


def _signed(delta: float) -> str:
    return f"{delta:+.0f}" if float(delta).is_integer() else f"{delta:+.{DECIMALS}f}"


def fit(report: str, limit: int = MAX_BYTES) -> str:
    """The report if it fits in `limit` bytes of UTF-8; else its first lines that do, and a line naming what was cut."""
    if len(report.encode()) <= limit:
        return report
    lines, kept, size = report.splitlines(), 0, 500  # room for the closing line
    while size + len(lines[kept].encode()) + 1 <= limit:
        size += len(lines[kept].encode()) + 1
        kept += 1
    dropped = [line.removeprefix("## ") for line in lines[kept:] if line.startswith("## ")]
    cut = ", ".join(["the rest of this section", *dropped])
    return "\n".join([*lines[:kept], "", f"**Cut to fit a pull-request comment:** {cut}."])


def render_markdown(comparison: Comparison) -> str:
    """The report: marker, verdict, note, metrics, parameter changes, stages, then the plots' files."""
    c = comparison
    lines = [PR_REPORT_MARKER, verdict(c), ""]
    against = f"base `{c.base}`, commit `{c.base_commit[:12]}`"
    if c.production is not None:
        against += f", and production `{c.production.version}`, commit `{c.production.commit[:12]}`"
    lines += [f"Pull-request report: the workspace against {against}.", ""]
    if c.note:
        lines += [f"> **Note:** {c.note}", ""]
    lines += ["## Metrics", "", *metrics_section(c), ""]
    lines += ["## Parameters", "", *params_section(c.params_diff, c.base), ""]
    data = data_section(c)
    if data:
        lines += ["## Data", "", *data, ""]
    lines += classification_sections(*c.tables("confusion"))
    features = importance_section(*c.tables("feature_importance"), c.base)
    if features:
        lines += ["## Top features", "", *features, ""]
    lines += ["## Stages", ""]
    if c.stages is None:
        lines += [f"No `dvc repro` log at `{c.repro_log}`: run `make repro 2>&1 | tee {c.repro_log}` first.", ""]
    else:
        lines += [
            f"From the `dvc repro` log `{c.repro_log}`:",
            "",
            f"- Ran: {_names(c.stages.ran, c.stages.seconds)}",
            # No time for these: restoring is not training, and the log cannot say how long it took.
            f"- Restored from the run-cache: {_names(c.stages.cached)}",
            f"- Unchanged: {_names(c.stages.unchanged)}",
            "",
        ]
    lines += ["## Plots", ""]
    if not c.plots:
        lines += [f"No plot tables under `{PLOTS_DIR}/`.", ""]
    else:
        # Named, never embedded: an image in a comment or job summary would show as broken.
        lines += [
            "PNG plots of the base against the workspace are in `plots/` beside this report; in CI, "
            f"download them from the `{ARTIFACT_NAME}` artifact of the workflow run (a pull-request "
            "comment cannot show them).",
            "",
        ]
        for name in c.plots:
            note = f" {c.plot_notes[name]}" if name in c.plot_notes else ""
            lines.append(f"- {PLOT_TITLES[name]}: `plots/{name}.png`.{note}")
        lines.append("")
    return fit("\n".join(lines))


def _json_or_none(text: str | None) -> dict[str, object] | None:
    return None if text is None else json.loads(text)


def write_report(base: str, repro_log: Path, out: Path, note: str | None = None) -> Path:
    """Compare the workspace with base and write out/report.md (and its plots); its path."""
    commit = resolve_revision(base)  # fail fast, before any slow work
    params = load_params()
    log = repro_log
    base_tables, head_tables = read_tables(base)
    plots = render_plots(base_tables, head_tables, out / "plots", base_label=f"base ({base})")
    comparison = Comparison(
        base=base,
        base_commit=commit,
        task=params.task,
        gate=params.gate,
        head_metrics=read_metrics() if METRICS.exists() else None,
        base_metrics=_json_or_none(read_base_file(base, METRICS)),
        params_diff=params_diff(base),
        stages=parse_repro_log(log.read_text(encoding="utf-8", errors="replace")) if log.is_file() else None,
        repro_log=log,
        base_tables=base_tables,
        head_tables=head_tables,
        plots=plots,
        base_data=_json_or_none(read_base_file(base, DATA_SUMMARY)),
        head_data=json.loads(DATA_SUMMARY.read_text(encoding="utf-8")) if DATA_SUMMARY.exists() else None,
        data_changes=data_changes(base),
        plot_notes={
            name: f"Only the {'workspace' if name in head_tables else 'base'} has `{PLOTS_DIR}/{name}.csv`."
            for name in plots
            if (name in base_tables) != (name in head_tables)
        },
        note=note,
        production=production_model(),
    )
    written = out / "report.md"
    written.write_text(render_markdown(comparison), encoding="utf-8")
    return written
